package quarry.encode.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;
import quarry.core.QuarryException;
import quarry.encode.ModelSpec;

/** The training loop on a tiny CLINC150 slice: seeded runs repeat exactly; the time limit and the classifier mode. */
@Tag("integration")
class TrainingRunTest {

    static ModelSpec spec;
    static OnnxBert onnx;
    static long[][] tokens;
    static int[] classOf;

    /** 4 intents × 4 examples. */
    @BeforeAll
    static void slice() {
        spec = TuneFixtures.encoder("all-minilm-l6-v2");
        onnx = OnnxBert.read(spec.weights());
        Map<String, Integer> classes = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Document d : TuneFixtures.clinc("train")) {
            String label = d.labels().get(0);
            if ((classes.size() == 4 && !classes.containsKey(label)) || counts.getOrDefault(label, 0) == 4) {
                continue;
            }
            classes.putIfAbsent(label, classes.size());
            counts.merge(label, 1, Integer::sum);
            texts.add(d.text());
            labels.add(classes.get(label));
        }
        try (Tokens t = Tokens.open(spec, 32)) {
            tokens = t.ids(texts);
        }
        classOf = labels.stream().mapToInt(Integer::intValue).toArray();
    }

    private static FineTuneSettings settings() {
        return FineTuneSettings.DEFAULTS.withMode(FineTuneSettings.Mode.CONTRASTIVE).withEpochs(1).withPairsPerExample(2)
                .withBatchSize(8).withUseGpu(false).withSeed(11);
    }

    private static TrainingRun.Outcome run(FineTuneSettings s) {
        return TrainingRun.run(onnx, spec, tokens, classOf, 4, s, FineTuneProgress.Listener.NONE);
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        FineTuneSettings s = settings().withEpochs(1);
        TrainingRun.Outcome first = run(s);
        TrainingRun.Outcome second = run(s);
        TrainingRun.Outcome other = run(s.withSeed(12));
        assertEquals(4, first.steps(), "16 examples × 2 pairs / 8 per batch");
        assertEquals(first.lossAfter(), second.lossAfter(), 0.0);
        String query = "encoder.layer.0.attention.self.query.weight";
        for (String name : List.of(OnnxBert.WORD_EMBEDDINGS, query, "encoder.layer.5.output.LayerNorm.bias")) {
            assertArrayEquals(first.weights().get(name), second.weights().get(name), name);
        }
        assertFalse(java.util.Arrays.equals(first.weights().get(query), other.weights().get(query)));
        assertFalse(java.util.Arrays.equals(first.weights().get(query), onnx.values(query)), "training moved it");
    }

    @Test
    void timeLimitStopsBetweenSteps() {
        List<FineTuneProgress> seen = new ArrayList<>();
        TrainingRun.Outcome o = TrainingRun.run(onnx, spec, tokens, classOf, 4,
                settings().withEpochs(20).withMaxSeconds(0.5), seen::add);
        assertTrue(o.timedOut());
        assertTrue(o.steps() >= 1 && o.steps() < o.plannedSteps(), o.steps() + " of " + o.plannedSteps());
        assertEquals(80, o.plannedSteps());
        assertEquals(o.steps(), seen.size());
        assertTrue(Double.isFinite(o.lossAfter()));
    }

    @Test
    void classifierModeLowersTheCrossEntropy() {
        TrainingRun.Outcome o = run(settings().withMode(FineTuneSettings.Mode.CLASSIFY).withEpochs(4)
                .withLearningRate(5e-5));
        assertEquals(8, o.steps(), "16 examples / 8 per batch × 4 epochs");
        assertEquals(Math.log(4), o.lossBefore(), 0.3, "a fresh linear layer is near uniform over 4 labels");
        assertTrue(o.lossAfter() < o.lossBefore() * 0.8, o.lossBefore() + " -> " + o.lossAfter());
        assertEquals(onnx.parameterNames().size(), o.weights().size(), "the classifier's layer is not exported");
    }

    @Test
    void pairsAreSeededPositivesShareALabelNegativesDoNot() {
        List<Pairs.Pair> a = Pairs.draw(classOf, 4, 1000, new SplittableRandom(3));
        assertEquals(a, Pairs.draw(classOf, 4, 1000, new SplittableRandom(3)));
        assertEquals(64, a.size());
        assertEquals(32, a.stream().filter(Pairs.Pair::same).count(), "half positive");
        for (Pairs.Pair p : a) {
            assertTrue(p.left() != p.right());
            assertEquals(p.same(), classOf[p.left()] == classOf[p.right()], p.toString());
        }
        assertEquals(10, Pairs.draw(classOf, 4, 10, new SplittableRandom(3)).size(), "capped");
        assertThrows(IllegalArgumentException.class, () -> Pairs.draw(new int[] {0, 0, 0}, 2, 10,
                new SplittableRandom(1)));
    }

    @Test
    void badNamesAndTooFewLabelsFailBeforeAnyWork(@TempDir Path models) {
        FineTuneSettings s = settings();
        List<String> two = List.of("a", "b");
        for (String name : List.of("../escape", "a/b", ".hidden", "", "x".repeat(129))) {
            QuarryException e = assertThrows(QuarryException.class,
                    () -> FineTuner.tune(spec, two, List.of("x", "y"), s, models, name, p -> { }));
            assertTrue(e.getMessage().contains("not a plain folder name"), e.getMessage());
        }
        assertTrue(Files.exists(models));
        QuarryException one = assertThrows(QuarryException.class,
                () -> FineTuner.tune(spec, two, List.of("x", "x"), s, models, "ok", p -> { }));
        assertTrue(one.getMessage().contains("at least two different labels"), one.getMessage());
        QuarryException blank = assertThrows(QuarryException.class,
                () -> FineTuner.tune(spec, two, List.of("x", " "), s, models, "ok", p -> { }));
        assertTrue(blank.getMessage().contains("example 1 has no label"), blank.getMessage());
        QuarryException exists = assertThrows(QuarryException.class,
                () -> FineTuner.tune(spec, two, List.of("x", "y"), s, spec.folder().getParent(), spec.id(), p -> { }));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
    }
}
