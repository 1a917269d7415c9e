package quarry.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import quarry.core.QuarryException;
import quarry.data.Csv;

/**
 * Writes predictions to a JSONL or CSV file: into a temporary file beside it, moved into place by
 * {@link #commit}, so a run that fails half-way leaves no half file under the asked-for name.
 *
 * <p>JSONL: one {@link BundlePrediction} per line. CSV: {@code id, labels, confidence, margin,
 * entropy, safe_to_accept, top_labels, top_probabilities}, several labels joined with {@code |};
 * cells a spreadsheet would run as formulas are neutralised ({@link Csv}).
 */
public final class PredictionFile implements AutoCloseable {

    public enum Format { JSONL, CSV }

    static final List<String> CSV_HEADER = List.of("id", "labels", "confidence", "margin", "entropy",
            "safe_to_accept", "top_labels", "top_probabilities");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path target;
    private final Path tmp;
    private final Format format;
    private final Writer out;
    private boolean committed;

    private PredictionFile(Path target, Path tmp, Format format, Writer out) {
        this.target = target;
        this.tmp = tmp;
        this.format = format;
        this.out = out;
    }

    /** The format a file name asks for: {@code .jsonl}/{@code .ndjson} or {@code .csv}. */
    public static Format formatOf(Path file) {
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return Format.JSONL;
        }
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        throw new QuarryException(file + ": cannot tell the output format from the name; end it in .jsonl or .csv");
    }

    public static PredictionFile create(Path target, Format format) {
        try {
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            PredictionFile f = new PredictionFile(target, tmp, format, Files.newBufferedWriter(tmp, StandardCharsets.UTF_8));
            if (format == Format.CSV) {
                f.out.write(Csv.row(CSV_HEADER));
            }
            return f;
        } catch (IOException e) {
            throw new QuarryException("cannot write " + target + ": " + e, e);
        }
    }

    public void write(List<BundlePrediction> predictions) {
        try {
            for (BundlePrediction p : predictions) {
                if (format == Format.JSONL) {
                    out.write(JSON.writeValueAsString(p));
                    out.write('\n');
                } else {
                    out.write(Csv.row(csvRow(p)));
                }
            }
        } catch (IOException e) {
            throw new QuarryException("cannot write " + target + ": " + e, e);
        }
    }

    static List<String> csvRow(BundlePrediction p) {
        List<String> labels = new ArrayList<>();
        List<String> probabilities = new ArrayList<>();
        for (BundlePrediction.Ranked r : p.top()) {
            labels.add(r.label());
            probabilities.add(Float.toString(r.probability()));
        }
        return List.of(p.id(), String.join("|", p.labels()), Float.toString(p.confidence()), Double.toString(p.margin()),
                Double.toString(p.entropy()), p.safeToAccept() == null ? "" : p.safeToAccept().toString(),
                String.join("|", labels), String.join("|", probabilities));
    }

    /** Finishes the file and moves it into place. */
    public void commit() {
        try {
            out.close();
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            committed = true;
        } catch (IOException e) {
            throw new QuarryException("cannot write " + target + ": " + e, e);
        }
    }

    /** Without {@link #commit}: drops the temporary file. */
    @Override
    public void close() {
        if (committed) {
            return;
        }
        try {
            out.close();
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            throw new QuarryException("cannot remove " + tmp + ": " + e, e);
        }
    }
}
