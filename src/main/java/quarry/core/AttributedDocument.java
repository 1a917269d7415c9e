package quarry.core;

import java.util.Objects;

/**
 * A document as a file brings it, with who labeled it and when where the file says so: exports of
 * Label Studio, Argilla and Prodigy carry both, and a round trip must not turn every label into the
 * importer's. Null {@code annotator} or {@code created} means the importer's name and the time of
 * the import.
 *
 * @param created an ISO-8601 instant ({@code 2024-06-18T23:45:46.048Z}), or null
 */
public record AttributedDocument(Document document, String annotator, String created) {

    public AttributedDocument {
        Objects.requireNonNull(document, "document");
    }

    public static AttributedDocument of(Document document) {
        return new AttributedDocument(document, null, null);
    }
}
