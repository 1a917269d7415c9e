package quarry.bench;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import quarry.cli.ImportMixin;
import quarry.core.Document;
import quarry.encode.DjlEncoder;
import quarry.encode.Encoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.encode.ModelSpec;

@Command(name = "encoder", mixinStandardHelpOptions = true,
        description = {"Sentences/s of Quarry's encoder against the raw ONNX Runtime Java API on the same model, "
                + "batch size and texts, in one run; then the same for the int8 model. No embedding cache is used.",
            "The first row of each group is the baseline; 'agreement' is the smallest cosine between a row's "
                + "vectors and the baseline's."})
final class EncoderBenchCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "FILE", defaultValue = "../shared/data/clinc150/test.jsonl",
            description = "texts to embed (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "use the first N texts (0 = all)")
    int limit;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "batch size (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "256",
            description = "window / truncation length in tokens (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "timed rounds; the median counts")
    int rounds;

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = Encoders.DEFAULT)
    String encoder;

    @Option(names = "--int8", paramLabel = "NAME", defaultValue = "all-minilm-l6-v2-q",
            description = "int8 variant to measure too (empty to skip) (default: ${DEFAULT-VALUE})")
    String int8;

    @Option(names = "--pool", paramLabel = "N", defaultValue = "1",
            description = "Quarry's predictor pool size; CPU threads are shared among them (default: ${DEFAULT-VALUE})")
    int pool;

    @Mixin
    ImportMixin importOptions;

    @Override
    public Integer call() {
        if (!"PASSIVE".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY"))) {
            System.err.println("note: OMP_WAIT_POLICY is not PASSIVE, so libtorch's threads spin and slow the "
                    + "encoder; the ./quarry launcher sets it");
        }
        List<String> texts = importOptions.read(data).stream().map(Document::text).toList();
        if (limit > 0 && limit < texts.size()) {
            texts = texts.subList(0, limit);
        }
        System.out.printf(Locale.ROOT, "%d texts from %s, batch %d, max %d tokens, %d cores, %d rounds%n",
                texts.size(), data, batch, maxTokens, Runtime.getRuntime().availableProcessors(), rounds);
        EncoderBench bench = new EncoderBench(texts, rounds, 256);
        List<String> table = new ArrayList<>();
        table.add("| encoder | sentences/s | × baseline | min cosine to baseline | peak RSS (MiB) |");
        table.add("|---|---|---|---|---|");
        group(bench, encoder, table);
        if (!int8.isBlank()) {
            group(bench, int8, table);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%s, %d texts, batch %d, %d cores, median of %d rounds%n",
                LocalDate.now(), texts.size(), batch, Runtime.getRuntime().availableProcessors(), rounds);
        table.forEach(System.out::println);
        System.out.println("final peak RSS of the process: " + Memory.peakRssMiB() + " MiB");
        return 0;
    }

    private void group(EncoderBench bench, String name, List<String> table) {
        ModelSpec spec = Encoders.find(Encoders.modelsDir(), name);
        EncoderOptions options = EncoderOptions.DEFAULTS.withBatchSize(batch).withMaxTokens(maxTokens)
                .withPoolSize(pool);
        List<String> names = List.of(
                name + " raw ONNX Runtime (input order)",
                name + " raw ONNX Runtime (length-sorted)",
                name + " Quarry (DJL, pool " + pool + ")");
        List<Supplier<Encoder>> encoders = List.of(
                () -> new RawOrtEncoder(spec, batch, maxTokens, false),
                () -> new RawOrtEncoder(spec, batch, maxTokens, true),
                () -> DjlEncoder.load(spec, options));
        List<EncoderBench.Row> rows = bench.run(names, encoders, System.err::println);
        double baseline = rows.get(0).sentencesPerSecond();
        for (EncoderBench.Row row : rows) {
            table.add(String.format(Locale.ROOT, "| %s | %.1f | %.2f | %.6f | %d |", row.name(),
                    row.sentencesPerSecond(), row.sentencesPerSecond() / baseline, row.agreement(), row.peakRssMiB()));
        }
    }
}
