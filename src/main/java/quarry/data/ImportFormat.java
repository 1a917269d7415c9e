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
    CSV;

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
