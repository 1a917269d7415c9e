package quarry.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import quarry.core.AttributedDocument;
import quarry.core.Document;

/**
 * Imports documents from JSONL or CSV files.
 *
 * <p>All or nothing: unless {@link ImportOptions#skipBadRows()} is set, one bad row fails the
 * whole file with an {@link ImportException} listing every problem found. A file that yields no
 * document at all fails even when skipping, since that almost always means wrong options (a
 * misnamed text field, say) rather than data worth importing.
 *
 * <p>Files are read as a stream of lines, so memory holds the documents (for {@link #read}) or
 * only the ids seen (for {@link #validate} and {@link #stream}), never the file's text twice.
 */
public final class DocumentImporter {

    private DocumentImporter() {
    }

    /** Reads every document of a file. */
    public static ImportResult read(Path file, ImportOptions options)
            throws ImportException, IOException {
        boolean skip = options.skipBadRows();
        // When skipping, the caller gets every skipped row back, so none may be dropped here.
        ProblemLog log = new ProblemLog(skip ? Integer.MAX_VALUE : ImportException.MAX_PROBLEMS);
        List<Document> documents = new ArrayList<>();
        ImportSummary summary = scan(file, options, log, document -> {
            // Once the file is known to fail, holding more documents is wasted memory.
            if (skip || log.total() == 0) {
                documents.add(document.document());
            }
        });
        requireUsable(summary, options, log.kept());
        return new ImportResult(documents, log.kept(), summary.multiLabel(), summary.labels());
    }

    /**
     * Checks a file without keeping its documents. Never throws for a problem in the file: those,
     * a missing file or an unusable header included, are in the summary.
     */
    public static ImportSummary validate(Path file, ImportOptions options) throws IOException {
        try {
            return scan(file, options, new ProblemLog(ImportException.MAX_PROBLEMS), document -> { });
        } catch (ImportException e) {
            return new ImportSummary(0, 0, e.problems(), e.totalProblems(), false, Set.of());
        }
    }

    /**
     * Hands each document to {@code sink} in file order without holding them. Unless bad rows are
     * skipped, the file is validated in a first pass, so that {@code sink} sees nothing from a
     * file that fails; the summary's problems are the rows skipped.
     */
    public static ImportSummary stream(Path file, ImportOptions options, Consumer<Document> sink)
            throws ImportException, IOException {
        Objects.requireNonNull(sink, "sink");
        return streamAttributed(file, options, a -> sink.accept(a.document()));
    }

    /**
     * As {@link #stream}, each document with who labeled it and when where the file says so (the
     * Label Studio, Argilla and Prodigy formats).
     */
    public static ImportSummary streamAttributed(Path file, ImportOptions options, Consumer<AttributedDocument> sink)
            throws ImportException, IOException {
        Objects.requireNonNull(sink, "sink");
        if (!options.skipBadRows()) {
            ImportSummary check = scan(file, options,
                    new ProblemLog(ImportException.MAX_PROBLEMS), document -> { });
            requireUsable(check, options, check.problems());
        }
        // A file changed between the passes still fails here, though sink has then seen part of it.
        ProblemLog log = new ProblemLog(ImportException.MAX_PROBLEMS);
        ImportSummary summary = scan(file, options, log, sink);
        requireUsable(summary, options, summary.problems());
        return summary;
    }

    private static void requireUsable(ImportSummary summary, ImportOptions options,
            List<ImportProblem> problems) throws ImportException {
        boolean failed = !options.skipBadRows() && summary.totalProblems() > 0;
        if (failed || summary.documents() == 0) {
            throw new ImportException(problems, summary.totalProblems());
        }
    }

    /**
     * One pass over the file: good documents go to {@code sink}, row problems to {@code log}.
     * Throws only for problems that stop the whole file from being read.
     */
    private static ImportSummary scan(Path file, ImportOptions given, ProblemLog log,
            Consumer<AttributedDocument> sink) throws ImportException, IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(given, "options");
        requireRegularFile(file);
        ImportFormat format = formatOf(file, given);
        // An interchange format names its own fields; problems then name them as its files do.
        ImportOptions options = Interchange.fieldNames(format, given);
        RowValidator validator = new RowValidator(file, options);
        long rows = 0;
        long documents = 0;
        boolean multiLabel = false;
        Set<String> labels = new HashSet<>();
        try (RowReader reader = open(file, format, options)) {
            for (RawRow row = reader.next(); row != null; row = reader.next()) {
                rows++;
                AttributedDocument document = validator.check(row, log::add);
                if (document != null) {
                    documents++;
                    multiLabel |= row.labels() != null || document.document().labels().size() > 1;
                    labels.addAll(document.document().labels());
                    sink.accept(document);
                }
            }
            if (rows == 0) {
                throw new ImportException(new ImportProblem(file, reader.linesRead() + 1, null,
                        "no data rows"));
            }
        }
        return new ImportSummary(rows, documents, log.kept(), log.total(), multiLabel, labels);
    }

    private static RowReader open(Path file, ImportFormat format, ImportOptions options)
            throws ImportException, IOException {
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw notFound(file);
        }
        if (format == ImportFormat.LABELSTUDIO) {
            return new LabelStudioRowReader(file, in);
        }
        LineReader lines = new LineReader(in);
        try {
            return switch (format) {
                case CSV -> new CsvRowReader(file, lines, options);
                case ARGILLA -> new JsonlRowReader(file, lines, options, ArgillaRecords::read);
                case PRODIGY -> new JsonlRowReader(file, lines, options, ProdigyTasks::read);
                default -> new JsonlRowReader(file, lines, options);
            };
        } catch (ImportException | IOException | RuntimeException e) {
            lines.close();
            throw e;
        }
    }

    private static void requireRegularFile(Path file) throws ImportException {
        if (!Files.exists(file)) {
            throw notFound(file);
        }
        if (!Files.isRegularFile(file)) {
            throw new ImportException(new ImportProblem(file, 0, null,
                    "not a regular file: " + file.toAbsolutePath()));
        }
    }

    private static ImportException notFound(Path file) {
        return new ImportException(new ImportProblem(file, 0, null,
                "file not found: " + file.toAbsolutePath()));
    }

    private static ImportFormat formatOf(Path file, ImportOptions options) throws ImportException {
        if (options.format() != ImportFormat.AUTO) {
            return options.format();
        }
        return ImportFormat.byExtension(file).orElseThrow(() -> new ImportException(
                new ImportProblem(file, 0, null, "cannot tell the format from the file name;"
                        + " use .jsonl, .ndjson or .csv, or set ImportOptions.format")));
    }
}
