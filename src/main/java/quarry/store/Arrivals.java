package quarry.store;

import java.util.List;
import java.util.Optional;
import quarry.store.Records.Arrival;

/**
 * Arrival batches: documents that came together after the project's first ones, and the drift
 * report of each.
 */
public interface Arrivals {

    /** Where a batch came from: a file import or the streaming endpoint. */
    enum Source { IMPORT, STREAM }

    /**
     * Appends documents as {@link Documents#add} does and records them as one batch, in one
     * transaction: the documents and their batch, or nothing.
     */
    default Arrival add(long projectId, Documents.Source documents, String annotator, Source source) {
        return addAttributed(projectId, sink -> documents.each(d -> sink.accept(quarry.core.AttributedDocument.of(d))),
                annotator, source);
    }

    /** As {@link #add}, each label kept with the annotator and time its document names ({@link Documents#addAttributed}). */
    Arrival addAttributed(long projectId, Documents.AttributedSource documents, String annotator, Source source);

    /** A project's batches, oldest first. */
    List<Arrival> list(long projectId);

    Optional<Arrival> find(long projectId, long id);

    /** Stores a batch's drift report (JSON), replacing any before. */
    void report(long projectId, long id, String json);
}
