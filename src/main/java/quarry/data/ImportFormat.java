package quarry.data;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** File formats the importer reads. */
public enum ImportFormat {
    /** Choose by file extension: {@code .jsonl}/{@code .ndjson} or {@code .csv}. */
    AUTO,
    /** One JSON object per line. */
    JSONL,
    /** RFC 4180 CSV with a header row. */
    CSV,
    /** Label Studio's JSON tasks: an array of {@code {data, annotations, predictions}}. */
    LABELSTUDIO,
    /** Argilla 2.x records, one per line: {@code {id, fields, metadata, responses, suggestions}}. */
    ARGILLA,
    /** Prodigy tasks, one per line: {@code {text, accept | label, answer, meta}}. */
    PRODIGY;

    /** The format a {@code ?format=} value names: jsonl, csv, labelstudio, argilla or prodigy. */
    public static Optional<ImportFormat> named(String name) {
        for (ImportFormat f : values()) {
            if (f != AUTO && f.name().toLowerCase(Locale.ROOT).equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Whether this is one of the other tools' formats (which carry texts, labels and who gave them). */
    public boolean interchange() {
        return this == LABELSTUDIO || this == ARGILLA || this == PRODIGY;
    }

    /** The format a file's extension names (case-insensitive), if it names one. */
    public static Optional<ImportFormat> byExtension(Path file) {
        Path name = file.getFileName();
        String lower = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
            return Optional.of(JSONL);
        }
        if (lower.endsWith(".csv")) {
            return Optional.of(CSV);
        }
        return Optional.empty();
    }
}
