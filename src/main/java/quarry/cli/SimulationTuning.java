package quarry.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import quarry.core.Vectors;
import quarry.encode.DjlEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.ModelSpec;
import quarry.encode.tune.FineTuneSettings;
import quarry.encode.tune.FineTuner;
import quarry.index.VectorIndex;
import quarry.loop.Simulation;
import quarry.project.Pool;

/**
 * {@code simulate --finetune-at}: fine-tunes the simulation's encoder on the labels so far into a
 * scratch folder, re-embeds the pool and the held-out split with the tuned copy, without the
 * embedding cache (each copy is used once; caching it would only grow the cache), and indexes the
 * pool when the loop moves there. The folder, index included, is deleted when the view closes.
 */
final class SimulationTuning implements Simulation.Tuning {

    private final ModelSpec parent;
    private final List<String> poolTexts;
    private final List<String> poolLabels;
    private final List<String> testTexts;
    private final FineTuneSettings settings;
    private final Path scratch;
    private int made;

    /**
     * @param poolLabels one label per pool text (single-label data)
     * @param scratch    a folder for the tuned copies
     */
    SimulationTuning(ModelSpec parent, List<String> poolTexts, List<String> poolLabels, List<String> testTexts,
            FineTuneSettings settings, Path scratch) {
        this.parent = parent;
        this.poolTexts = List.copyOf(poolTexts);
        this.poolLabels = List.copyOf(poolLabels);
        this.testTexts = List.copyOf(testTexts);
        this.settings = settings;
        this.scratch = scratch;
    }

    @Override
    public Simulation.Tuned tune(int[] labeledRows, long seed) {
        List<String> texts = Arrays.stream(labeledRows).mapToObj(poolTexts::get).toList();
        List<String> labels = Arrays.stream(labeledRows).mapToObj(poolLabels::get).toList();
        String name = String.format(Locale.ROOT, "sim-tuned-%d-%d", labeledRows.length, made++);
        try {
            Files.createDirectories(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FineTuner.Result result = FineTuner.tune(parent, texts, labels, settings.withSeed(seed), scratch, name,
                progress -> { });
        System.err.printf(Locale.ROOT, "%nfine-tuned on %d labels: loss %.4f -> %.4f, %d steps, %.0f s%s%n",
                labeledRows.length, result.lossBefore(), result.lossAfter(), result.steps(), result.seconds(),
                (result.timedOut() ? " (time limit)" : "")
                        + (result.skippedSteps() > 0 ? "; " + result.skippedSteps() + " steps skipped" : ""));
        DjlEncoder encoder = DjlEncoder.load(ModelSpec.load(result.folder()), EncoderOptions.DEFAULTS);
        Vectors test = Vectors.of(SimulateCommand.normalised(encoder.encode(testTexts,
                new ProgressBar(System.err, "embed test (tuned)", "texts"))));
        return new Simulation.Tuned() {
            private Vectors pool;
            private VectorIndex index;

            @Override
            public Vectors pool() {
                if (pool == null) {
                    pool = Vectors.of(SimulateCommand.normalised(encoder.encode(poolTexts,
                            new ProgressBar(System.err, "embed pool (tuned)", "texts"))));
                }
                return pool;
            }

            @Override
            public VectorIndex index() {
                if (index == null) {
                    index = VectorIndex.open(result.folder().resolve("index"), pool().dimension());
                    Pool.index(index, pool(), new ProgressBar(System.err, "index (tuned)", "docs"),
                            new ProgressBar(System.err, "densities (tuned)", "docs"));
                }
                return index;
            }

            @Override
            public Vectors test() {
                return test;
            }

            @Override
            public String encoderId() {
                return name;
            }

            @Override
            public void close() {
                if (index != null) {
                    index.close();
                }
                encoder.close();
                delete(result.folder());
            }
        };
    }

    private static void delete(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + folder + ": " + e.getMessage());
        }
    }
}
