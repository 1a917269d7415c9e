package quarry.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.bundle.BundlePredictor;
import quarry.core.Document;
import quarry.core.Progress;
import quarry.core.Trees;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;

/**
 * {@code bench}: Spark local-mode predict throughput against the single-process predictor on the
 * same machine, bundle and documents, and where the difference goes. Both sides are timed after
 * their model is loaded (a warm-up), so the figure is the steady rate a long job runs at.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Spark local[N] predict throughput against single-process predict (docs/BENCHMARKS.md).")
final class SparkBench implements Callable<Integer> {

    @Option(names = "--train", paramLabel = "FILE", defaultValue = "../shared/data/clinc150/train.jsonl",
            description = "labeled documents the bench's model is trained on (default: ${DEFAULT-VALUE})")
    Path train;

    @Option(names = "--train-docs", paramLabel = "N", defaultValue = "3000", description = "default: ${DEFAULT-VALUE}")
    int trainDocs;

    @Option(names = "--data", paramLabel = "FILE", defaultValue = "../shared/data/clinc150/test.jsonl",
            description = "documents to predict (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--docs", paramLabel = "N", defaultValue = "5500", description = "default: ${DEFAULT-VALUE}")
    int docs;

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = "all-minilm-l6-v2", description = "default: ${DEFAULT-VALUE}")
    String encoder;

    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[2]", description = "default: ${DEFAULT-VALUE}")
    String master;

    @Option(names = "--pool", paramLabel = "N", defaultValue = "1",
            description = "encoder predictors per executor JVM (default: ${DEFAULT-VALUE})")
    int pool;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("quarry-spark-bench");
        try {
            List<Document> labeled = DocumentImporter.read(train, ImportOptions.defaults()).documents();
            Path bundle = work.resolve("bundle");
            QuickBundle.write(bundle, labeled.subList(0, Math.min(trainDocs, labeled.size())), encoder, null);
            List<Document> all = DocumentImporter.read(data, ImportOptions.defaults()).documents();
            List<Document> input = all.subList(0, Math.min(docs, all.size()));
            List<String> ids = input.stream().map(Document::id).toList();
            List<String> texts = input.stream().map(Document::text).toList();

            double single;
            try (BundlePredictor p = BundlePredictor.open(bundle, 32, 1)) {
                p.predict(ids.subList(0, 64), texts.subList(0, 64), 5, Progress.NONE);
                long start = System.nanoTime();
                for (int from = 0; from < ids.size(); from += PredictJob.CHUNK) {
                    int to = Math.min(ids.size(), from + PredictJob.CHUNK);
                    p.predict(ids.subList(from, to), texts.subList(from, to), 5, Progress.NONE);
                }
                single = seconds(start);
            }

            SparkSession spark = SparkMain.quiet(SparkSession.builder().master(master).appName("quarry bench")
                    .config("spark.ui.enabled", false).getOrCreate());
            try {
                Path jsonl = work.resolve("input.jsonl");
                List<String> lines = new ArrayList<>();
                for (Document d : input) {
                    lines.add(quarry.project.Json.write(java.util.Map.of("id", d.id(), "text", d.text())));
                }
                Files.write(jsonl, lines);
                int slots = spark.sparkContext().defaultParallelism();
                PredictJob.Settings settings = new PredictJob.Settings(bundle.toString(), 5, 32, pool);
                Dataset<Row> docsIn = Inputs.documents(spark, jsonl.toString(), "jsonl", "id", "text")
                        .repartition(slots).cache();
                docsIn.count();
                // warm-up: every executor JVM opens its predictor once, and the Parquet writer's classes load
                Inputs.write(PredictJob.predict(docsIn.limit(64 * slots).repartition(slots), settings),
                        work.resolve("warm-up.parquet").toString(), "auto");

                long start = System.nanoTime();
                Inputs.write(docsIn.select("id", "text"), work.resolve("copy.parquet").toString(), "auto");
                double io = seconds(start);
                start = System.nanoTime();
                Inputs.write(PredictJob.predict(docsIn, settings), work.resolve("out.parquet").toString(), "auto");
                double sparkSeconds = seconds(start);

                System.out.printf(Locale.ROOT, "%d documents, encoder %s, %s (%d task slots), pool %d%n", input.size(),
                        encoder, master, slots, pool);
                System.out.printf(Locale.ROOT, "single-process predict: %.1f s, %.0f docs/s%n", single,
                        input.size() / single);
                System.out.printf(Locale.ROOT, "Spark predict:          %.1f s, %.0f docs/s (%.2fx single-process)%n",
                        sparkSeconds, input.size() / sparkSeconds, single / sparkSeconds);
                System.out.printf(Locale.ROOT, "  the same job without predicting (Spark alone: plan, tasks, Parquet"
                        + " write): %.1f s%n", io);
            } finally {
                spark.stop();
            }
        } finally {
            Trees.delete(work);
        }
        return 0;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
