package quarry.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.Document;
import quarry.core.Vectors;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.encode.CachingEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.model.HeadConfig;
import quarry.query.Strategies;

/** End to end on a real slice: CLINC150's first 30 intents, embedded by the real encoder. */
@Tag("integration")
@Tag("data")
class SimulationTest {

    private static Path sharedData() {
        String configured = System.getProperty("quarry.sharedData");
        return Path.of(configured != null ? configured : "../shared/data");
    }

    private static List<Document> slice(String split, TreeSet<String> keep) throws Exception {
        List<Document> docs = DocumentImporter.read(sharedData().resolve("clinc150").resolve(split),
                ImportOptions.defaults()).documents();
        return docs.stream().filter(d -> keep.contains(d.labels().get(0))).toList();
    }

    @Test
    void marginBeatsRandomOnARealSliceForAFixedSeed() throws Exception {
        TreeSet<String> keep = firstIntents(30);
        List<Document> train = slice("train.jsonl", keep);
        List<Document> test = slice("test.jsonl", keep);
        List<String> labels = new ArrayList<>(keep);
        Vectors poolVectors;
        Vectors testVectors;
        try (CachingEncoder encoder = Encoders.openCached("all-minilm-l6-v2", EncoderOptions.DEFAULTS)) {
            poolVectors = Vectors.of(encoder.encode(train.stream().map(Document::text).toList()));
            testVectors = Vectors.of(encoder.encode(test.stream().map(Document::text).toList()));
        }
        Simulation simulation = new Simulation(split(poolVectors, train, labels), split(testVectors, test, labels),
                labels, false, null, "all-minilm-l6-v2");
        Map<String, Double> meanAccuracy = new TreeMap<>();
        for (String strategy : List.of("random", "margin")) {
            LoopSettings settings = LoopSettings.defaults().withStrategy(strategy, Strategies.Options.DEFAULTS)
                    .withBatchSize(30).withHead(HeadConfig.defaults().withSeed(7)).withCrossValidation(0, 1);
            Simulation.Run run = simulation.run(settings, 0, 30, 240, p -> { });
            meanAccuracy.put(strategy, run.points().stream().skip(1)
                    .mapToDouble(Simulation.Point::accuracy).average().orElseThrow());
        }
        assertTrue(meanAccuracy.get("margin") > meanAccuracy.get("random"), "mean test accuracy over rounds: "
                + meanAccuracy);
    }

    @Test
    void fineTuningAtLabelCountsAddsATunedHeadFromThenOn() throws Exception {
        TreeSet<String> keep = firstIntents(10);
        List<Document> train = slice("train.jsonl", keep);
        List<Document> test = slice("test.jsonl", keep);
        List<String> labels = new ArrayList<>(keep);
        try (CachingEncoder encoder = Encoders.openCached("all-minilm-l6-v2", EncoderOptions.DEFAULTS)) {
            Vectors poolVectors = Vectors.of(encoder.encode(train.stream().map(Document::text).toList()));
            Vectors testVectors = Vectors.of(encoder.encode(test.stream().map(Document::text).toList()));
            Simulation simulation = new Simulation(split(poolVectors, train, labels), split(testVectors, test, labels),
                    labels, false, null, "all-minilm-l6-v2");
            // The "tuned" encoder here is the frozen one itself: the hook's bookkeeping is under test,
            // not fine-tuning (FineTunerTest covers that).
            List<Integer> tunedOn = new ArrayList<>();
            List<Boolean> closed = new ArrayList<>();
            Simulation.Tuning tuning = (rows, seed) -> {
                tunedOn.add(rows.length);
                return new Simulation.Tuned() {
                    @Override
                    public Vectors pool() {
                        return poolVectors;
                    }

                    @Override
                    public quarry.index.VectorIndex index() {
                        return null;
                    }

                    @Override
                    public Vectors test() {
                        return testVectors;
                    }

                    @Override
                    public String encoderId() {
                        return "same-" + rows.length;
                    }

                    @Override
                    public void close() {
                        closed.add(true);
                    }
                };
            };
            LoopSettings settings = LoopSettings.defaults().withStrategy("margin", Strategies.Options.DEFAULTS)
                    .withBatchSize(20).withHead(HeadConfig.defaults().withSeed(7)).withCrossValidation(0, 1)
                    .withSelfTraining(SelfTraining.OFF);
            int[] at = {30, 35, 80};
            Simulation.Run frozen = simulation.run(settings, 0, 20, 100, p -> { }, at, tuning, Simulation.Selection.FROZEN);

            // Labels go 20, 40, 60…: 30 and 35 are both first passed at 40, so one fine-tune there, one at 80.
            assertEquals(List.of(40, 80), tunedOn);
            assertEquals(2, closed.size(), "the first tuned view closes when replaced, the second at the end");
            for (Simulation.Point p : frozen.points()) {
                if (p.labels() < 30) {
                    assertNull(p.tunedAccuracy(), "no tuned head before the first fine-tune: " + p);
                } else {
                    assertNotNull(p.tunedAccuracy(), p.toString());
                    // Same vectors, same labels, same head settings: the tuned head is the loop's own head
                    // trained from scratch, so it must score like it, within what warm starts change.
                    assertEquals(p.accuracy(), p.tunedAccuracy(), 0.08, p.toString());
                }
            }

            // Moving the loop to the "tuned" vectors: it keeps its labels and the budget, the point at the
            // fine-tune is the moved loop's, and its tuned accuracy is the loop's own from then on.
            tunedOn.clear();
            Simulation.Run moved = simulation.run(settings, 0, 20, 100, p -> { }, at, tuning, Simulation.Selection.TUNED);
            assertEquals(List.of(40, 80), tunedOn);
            assertEquals(frozen.points().stream().map(Simulation.Point::labels).toList(),
                    moved.points().stream().map(Simulation.Point::labels).toList());
            for (Simulation.Point p : moved.points()) {
                if (p.labels() >= 40) {
                    assertEquals(p.accuracy(), p.tunedAccuracy(), 1e-12, p.toString());
                }
            }
            assertEquals(100, moved.points().get(moved.points().size() - 1).labels());
        }
    }

    /** CLINC150's first {@code n} intents by name, {@code oos} left out. */
    private static TreeSet<String> firstIntents(int n) throws Exception {
        TreeSet<String> all = new TreeSet<>();
        DocumentImporter.read(sharedData().resolve("clinc150/train.jsonl"), ImportOptions.defaults()).documents()
                .forEach(d -> all.add(d.labels().get(0)));
        all.remove("oos");
        return new TreeSet<>(new ArrayList<>(all).subList(0, n));
    }

    private static Simulation.Split split(Vectors vectors, List<Document> docs, List<String> labels) {
        int[][] classes = docs.stream().map(d -> new int[] {labels.indexOf(d.labels().get(0))}).toArray(int[][]::new);
        return new Simulation.Split(vectors, classes);
    }
}
