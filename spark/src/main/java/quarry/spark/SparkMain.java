package quarry.spark;

import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import quarry.cli.RunMixin;
import quarry.core.QuarryException;
import quarry.djl.DjlSettings;

/**
 * {@code spark-submit --class quarry.spark.SparkMain quarry-spark.jar <job>}: Quarry's Spark jobs.
 * The master comes from spark-submit ({@code --master}); {@code --master} here is for running the
 * jar without it (tests, the benchmark, one machine).
 */
@Command(name = "quarry-spark", mixinStandardHelpOptions = true,
        description = "Quarry's Spark jobs: predict a data set with a model bundle, or score a pool for labeling.",
        subcommands = {SparkMain.Predict.class, SparkMain.Score.class, SparkBench.class,
            CommandLine.HelpCommand.class})
public final class SparkMain implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        DjlSettings.apply();
        CommandLine cli = new CommandLine(new SparkMain());
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            Throwable cause = e;
            while (!(cause instanceof QuarryException) && cause.getCause() != null) {
                cause = cause.getCause(); // a task's failure reaches the driver wrapped by Spark
            }
            String message = cause instanceof QuarryException ? cause.getMessage() : e.toString();
            c.getErr().println("quarry-spark " + c.getCommandName() + ": error: " + message.lines().findFirst().orElse(""));
            if (System.getenv("QUARRY_DEBUG") != null) {
                e.printStackTrace(c.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    /** Run outside spark-submit, Spark's INFO lines (several per task) would bury the job's own output. */
    static SparkSession quiet(SparkSession spark) {
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }

    /** Options every job has: where the documents are and how to read them. */
    static final class Source {
        @Option(names = "--model", required = true, paramLabel = "DIR",
                description = "the model bundle folder, on a path every executor reads (see README: --archives)")
        String model;

        @Option(names = "--data", required = true, paramLabel = "PATH", description = "documents: any path Spark reads")
        String data;

        @Option(names = "--format", paramLabel = "F", defaultValue = "auto",
                description = "jsonl, csv or parquet (default: by the extension of --data)")
        String format;

        @Option(names = "--id-field", paramLabel = "NAME", defaultValue = "id", description = "default: ${DEFAULT-VALUE}")
        String idField;

        @Option(names = "--text-field", paramLabel = "NAME", defaultValue = "text", description = "default: ${DEFAULT-VALUE}")
        String textField;

        @Option(names = "--out", required = true, paramLabel = "PATH",
                description = "results folder: .parquet or .jsonl (must not exist)")
        String out;

        @Option(names = "--master", paramLabel = "URL",
                description = "Spark master when not run by spark-submit, e.g. local[2]")
        String master;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
                description = "repartition the documents into N partitions first (default: as read)")
        int partitions;

        @Mixin
        RunMixin run;

        SparkSession session(String name) {
            if (master == null) {
                return SparkSession.builder().appName(name).getOrCreate(); // spark-submit's settings, its logging
            }
            return quiet(SparkSession.builder().appName(name).master(master).config("spark.ui.enabled", false)
                    .getOrCreate());
        }

        Dataset<Row> documents(SparkSession spark) {
            Dataset<Row> docs = Inputs.documents(spark, data, format, idField, textField);
            return partitions > 0 ? docs.repartition(partitions) : docs;
        }
    }

    @Command(name = "predict", mixinStandardHelpOptions = true,
            description = "Labels, top-k probabilities, margin, entropy and safe-to-accept for every document,"
                    + " as 'quarry predict' gives them; written as Parquet or JSONL.")
    static final class Predict implements Callable<Integer> {
        @Mixin
        Source source;

        @Option(names = "--top-k", paramLabel = "K", defaultValue = "5", description = "default: ${DEFAULT-VALUE}")
        int topK;

        @Override
        public Integer call() {
            SparkSession spark = source.session("quarry predict");
            Dataset<Row> predictions = PredictJob.predict(source.documents(spark),
                    new PredictJob.Settings(source.model, topK, source.run.batch, source.run.pool));
            Inputs.write(predictions, source.out, "auto");
            System.out.println("wrote predictions to " + source.out);
            return 0;
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = {"The k documents of a pool a strategy finds most informative, kept diverse: each partition"
                    + " keeps its best, the driver merges and thins them. Written in one partition as JSONL or Parquet;"
                    + " 'quarry queue-import' puts them at the head of a project's queue."})
    static final class Score implements Callable<Integer> {
        @Mixin
        Source source;

        @Option(names = "--strategy", paramLabel = "S", defaultValue = "margin",
                description = "margin, entropy, least-confidence, bald or variation-ratio (default: ${DEFAULT-VALUE})")
        String strategy;

        @Option(names = "--k", paramLabel = "K", defaultValue = "1000", description = "picks (default: ${DEFAULT-VALUE})")
        int k;

        @Option(names = "--per-partition", paramLabel = "N", defaultValue = "0",
                description = "candidates each partition keeps (default: 2k, room for thinning)")
        int perPartition;

        @Option(names = "--diversity", paramLabel = "TAU", defaultValue = "0.9",
                description = "no two picks with cosine >= TAU; 1 for no thinning (default: ${DEFAULT-VALUE})")
        double tau;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "default: ${DEFAULT-VALUE}")
        long seed;

        @Option(names = "--mc-passes", paramLabel = "N", defaultValue = "20",
                description = "MC-dropout passes for bald and variation-ratio (default: ${DEFAULT-VALUE})")
        int passes;

        @Override
        public Integer call() {
            SparkSession spark = source.session("quarry score");
            ScoreJob.Settings settings = new ScoreJob.Settings(source.model, strategy, k,
                    perPartition > 0 ? perPartition : 2 * k, tau >= 1 ? Double.NaN : tau, seed, passes,
                    source.run.batch, source.run.pool);
            Inputs.write(ScoreJob.select(spark, source.documents(spark), settings), source.out, "auto");
            System.out.println("wrote the picks to " + source.out);
            return 0;
        }
    }
}
