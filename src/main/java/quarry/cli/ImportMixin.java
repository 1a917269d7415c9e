package quarry.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.core.QuarryException;
import quarry.data.DocumentImporter;
import quarry.data.ImportException;
import quarry.data.ImportOptions;
import quarry.data.ImportProblem;
import quarry.data.ImportResult;
import quarry.data.ImportSummary;

/** Options that say how to read a data file, shared by the commands (benchmarks too) that read one. */
public final class ImportMixin {

    @Option(names = "--text-field", paramLabel = "NAME", defaultValue = "text",
            description = "JSON field or CSV column with the text (default: ${DEFAULT-VALUE})")
    String textField;

    @Option(names = "--id-field", paramLabel = "NAME", defaultValue = "id",
            description = "field or column with the id; rows without one get <file>-<line> (default: ${DEFAULT-VALUE})")
    String idField;

    @Option(names = "--label-field", paramLabel = "NAME", defaultValue = "label",
            description = "field or column with a single label (default: ${DEFAULT-VALUE})")
    String labelField;

    @Option(names = "--labels-field", paramLabel = "NAME", defaultValue = "labels",
            description = "field or column with several labels, '|'-separated in CSV (default: ${DEFAULT-VALUE})")
    String labelsField;

    @Option(names = "--skip-bad-rows", description = "leave out bad rows and report them, instead of failing")
    boolean skipBadRows;

    public ImportOptions options() {
        return ImportOptions.defaults().withTextField(textField).withIdField(idField).withLabelField(labelField)
                .withLabelsField(labelsField).withSkipBadRows(skipBadRows);
    }

    /** Reads {@code file} whole, or fails naming every bad row; reports skipped rows on stderr. */
    public List<Document> read(Path file) {
        return reportingProblems(file, () -> {
            ImportResult result = DocumentImporter.read(file, options());
            reportSkipped(result.skipped(), result.documents().size());
            return result.documents();
        });
    }

    /**
     * Checks the whole file first (failing as {@link #read} does), tells {@code total} how many
     * documents it holds, then hands them to {@code sink} in file order without holding them.
     */
    public void stream(Path file, LongConsumer total, Consumer<Document> sink) {
        reportingProblems(file, () -> {
            ImportSummary check = DocumentImporter.validate(file, options());
            if ((!skipBadRows && check.totalProblems() > 0) || check.documents() == 0) {
                throw new ImportException(check.problems(), check.totalProblems());
            }
            total.accept(check.documents());
            // checked above: the second pass needs no check of its own
            ImportSummary done = DocumentImporter.stream(file, options().withSkipBadRows(true), sink);
            reportSkipped(done.problems(), done.documents());
            return null;
        });
    }

    private interface Reading<T> {
        T run() throws ImportException, java.io.IOException;
    }

    private static <T> T reportingProblems(Path file, Reading<T> reading) {
        try {
            return reading.run();
        } catch (ImportException e) {
            for (ImportProblem p : e.problems()) {
                System.err.println("  " + p);
            }
            throw new QuarryException(e.getMessage().lines().findFirst().orElse("import failed"), e);
        } catch (java.io.IOException e) {
            throw new QuarryException(file + ": " + e.getMessage(), e);
        }
    }

    private static void reportSkipped(List<ImportProblem> skipped, long imported) {
        for (ImportProblem p : skipped) {
            System.err.println("skipped " + p);
        }
        if (!skipped.isEmpty()) {
            System.err.println("skipped " + skipped.size() + " problem(s); imported " + imported + " document(s)");
        }
    }
}
