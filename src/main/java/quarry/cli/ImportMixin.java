package quarry.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.core.QuarryException;
import quarry.data.DocumentImporter;
import quarry.data.ImportException;
import quarry.data.ImportOptions;
import quarry.data.ImportProblem;
import quarry.data.ImportResult;

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
        try {
            ImportResult result = DocumentImporter.read(file, options());
            for (ImportProblem p : result.skipped()) {
                System.err.println("skipped " + p);
            }
            if (!result.skipped().isEmpty()) {
                System.err.println("skipped " + result.skipped().size() + " problem(s); imported "
                        + result.documents().size() + " document(s)");
            }
            return result.documents();
        } catch (ImportException e) {
            for (ImportProblem p : e.problems()) {
                System.err.println("  " + p);
            }
            throw new QuarryException(e.getMessage().lines().findFirst().orElse("import failed"), e);
        } catch (java.io.IOException e) {
            throw new QuarryException(file + ": " + e.getMessage(), e);
        }
    }
}
