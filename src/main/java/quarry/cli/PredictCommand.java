package quarry.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import quarry.bundle.BundlePrediction;
import quarry.bundle.BundlePredictor;
import quarry.bundle.PredictionFile;

/**
 * {@code quarry predict}: a model bundle ({@code export-model}) over a data file on this machine,
 * without a server. Texts go through in chunks, so a file of any size runs in bounded memory.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict a JSONL or CSV file with a model bundle (see export-model), with a progress bar.",
            "Each document gets its label(s), the top-k labels with probabilities, its uncertainty (margin and"
                + " entropy) and, when the model has a safe-to-accept threshold, whether it is safe to accept.",
            "Parquet input is read by the Spark jobs (spark/; they run on one machine with --master local[*])."})
public final class PredictCommand implements Callable<Integer> {

    /** Texts per step: enough for the encoder to batch by length well (it sorts 8,192 at a time). */
    static final int CHUNK = 8192;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the model bundle folder")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "JSONL or CSV file to predict")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "where to write the predictions: .jsonl or .csv (replaced when it exists)")
    Path out;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5",
            description = "labels listed with their probabilities per document (default: ${DEFAULT-VALUE})")
    int topK;

    @Mixin
    RunMixin run;

    @Mixin
    ImportMixin importOptions;

    @Override
    public Integer call() {
        if (topK < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--top-k must be at least 1, got " + topK);
        }
        PredictionFile.Format format = PredictionFile.formatOf(out);
        long start = System.nanoTime();
        long[] total = new long[1];
        long[] done = new long[1];
        long[] safe = new long[1];
        try (BundlePredictor predictor = BundlePredictor.open(model, run.batch, run.pool);
             PredictionFile file = PredictionFile.create(out, format)) {
            ProgressBar bar = new ProgressBar(System.err, "predict", "docs");
            List<String> ids = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            Runnable flush = () -> {
                long offset = done[0];
                List<BundlePrediction> predictions = predictor.predict(ids, texts, topK,
                        (d, t) -> bar.update(offset + d, total[0]));
                file.write(predictions);
                safe[0] += predictions.stream().filter(p -> Boolean.TRUE.equals(p.safeToAccept())).count();
                done[0] += predictions.size();
                ids.clear();
                texts.clear();
            };
            importOptions.stream(data, n -> total[0] = n, doc -> {
                ids.add(doc.id());
                texts.add(doc.text());
                if (ids.size() == CHUNK) {
                    flush.run();
                }
            });
            if (!ids.isEmpty()) {
                flush.run();
            }
            file.commit();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "predicted %d documents with model version %d of project %s in %.1f s"
                    + " (%.0f docs/s) into %s%s%n", done[0], predictor.manifest().modelVersion(),
                    predictor.manifest().project(), seconds, done[0] / seconds, out,
                    predictor.manifest().safeToAccept() == null ? ""
                            : "; " + safe[0] + " safe to accept at confidence >= " + String.format(Locale.ROOT, "%.4f",
                            predictor.manifest().safeToAccept().threshold()));
        }
        return 0;
    }
}
