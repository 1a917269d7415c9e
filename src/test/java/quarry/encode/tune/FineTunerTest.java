package quarry.encode.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;
import quarry.encode.CachingEncoder;
import quarry.encode.DjlEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.encode.ModelSpec;

/** One short contrastive fine-tune of MiniLM on a CLINC150 slice, shared by the checks of its result. */
@Tag("integration")
class FineTunerTest {

    @TempDir
    static Path models;

    static ModelSpec parent;
    static List<String> texts = new ArrayList<>();
    static List<String> labels = new ArrayList<>();
    static List<FineTuneProgress> progress = new ArrayList<>();
    static FineTuner.Result result;

    @BeforeAll
    static void tune() {
        parent = TuneFixtures.encoder("all-minilm-l6-v2");
        // 6 intents × 8 examples, in file order
        Map<String, Integer> taken = new LinkedHashMap<>();
        for (Document d : TuneFixtures.clinc("train")) {
            String label = d.labels().get(0);
            if (label.equals("oos") || (taken.size() == 6 && !taken.containsKey(label))
                    || taken.getOrDefault(label, 0) == 8) {
                continue;
            }
            taken.merge(label, 1, Integer::sum);
            texts.add(d.text());
            labels.add(label);
        }
        FineTuneSettings settings = FineTuneSettings.DEFAULTS.withMode(FineTuneSettings.Mode.CONTRASTIVE).withEpochs(1)
                .withPairsPerExample(4).withLearningRate(5e-5)
                .withSeed(7).withUseGpu(false);
        long start = System.nanoTime();
        result = FineTuner.tune(parent, texts, labels, settings, models, "minilm-tuned", progress::add);
        System.out.printf("fine-tune: %d steps in %.1f s (%.1f s total), loss %.4f -> %.4f%n", result.steps(),
                result.seconds(), (System.nanoTime() - start) / 1e9, result.lossBefore(), result.lossAfter());
    }

    @Test
    void shortFineTuneLowersTheContrastiveLoss() {
        assertEquals(48, result.examples());
        assertEquals(6, result.labels().size());
        assertEquals(12, result.plannedSteps(), "48 examples × 4 pairs / 16 per batch");
        assertEquals(result.plannedSteps(), result.steps());
        assertFalse(result.timedOut());
        assertTrue(result.lossAfter() < result.lossBefore() * 0.8,
                "loss " + result.lossBefore() + " -> " + result.lossAfter());
    }

    @Test
    void progressReportsEveryStepWithAnEta() {
        // A step whose gradient was not finite is skipped and reports nothing (it happens now and
        // then on CPU; the run goes on).
        assertEquals(result.steps() - result.skippedSteps(), progress.size(), "one report per step not skipped");
        int last = 0;
        for (FineTuneProgress p : progress) {
            assertTrue(p.step() > last && p.step() <= result.plannedSteps(), "step " + p.step() + " after " + last);
            last = p.step();
            assertEquals(result.plannedSteps(), p.totalSteps());
            assertTrue(Double.isFinite(p.loss()) && p.loss() >= 0, "loss " + p.loss());
            assertTrue(p.etaSeconds() >= 0, "eta " + p.etaSeconds());
        }
        if (last == result.plannedSteps()) {
            assertEquals(0, progress.get(progress.size() - 1).etaSeconds(), 1e-9, "nothing left after the last step");
        }
    }

    @Test
    void exportedFolderLoadsAsAnEncoderAndEmbedsDifferently() throws IOException {
        assertEquals(models.resolve("minilm-tuned"), result.folder());
        Encoders.Installed listed = Encoders.list(models).stream().filter(e -> e.name().equals("minilm-tuned"))
                .findFirst().orElseThrow();
        assertTrue(listed.ok(), listed.problem());
        ModelSpec tuned = Encoders.find(models, "minilm-tuned");
        assertEquals("minilm-tuned", tuned.id());
        assertEquals(parent.pooling(), tuned.pooling());
        assertEquals(Files.size(parent.weights()), Files.size(tuned.weights()), "same graph, same tensor sizes");

        List<String> probe = texts.subList(0, 6);
        float[][] before;
        float[][] after;
        try (DjlEncoder p = DjlEncoder.load(parent, EncoderOptions.DEFAULTS);
             DjlEncoder t = DjlEncoder.load(tuned, EncoderOptions.DEFAULTS)) {
            before = p.encode(probe);
            after = t.encode(probe);
            assertNotEquals(p.fingerprint(), t.fingerprint(), "the embedding cache keys the tuned vectors apart");
        }
        for (int i = 0; i < probe.size(); i++) {
            double cosine = TuneFixtures.cosine(before[i], after[i]);
            assertTrue(cosine < 0.9999 && cosine > 0.5, "text " + i + ": cosine to the parent's vector " + cosine);
            assertEquals(1.0, Math.sqrt(dot(after[i], after[i])), 1e-4, "unit length");
        }

        JsonNode json = new ObjectMapper().readTree(result.folder().resolve("model.json").toFile());
        assertEquals("all-minilm-l6-v2", json.get("parent").asText());
        JsonNode record = json.get("fineTune");
        assertEquals(48, record.get("examples").asInt());
        assertEquals(6, record.get("labels").size());
        assertEquals(7, record.get("settings").get("seed").asInt());
        assertEquals("contrastive", record.get("settings").get("mode").asText());
        assertEquals(result.lossAfter(), record.get("lossAfter").asDouble(), 1e-12);
        assertEquals(64, json.get("weightsSha256").asText().length());
        assertEquals("*", Files.readAllLines(result.folder().resolve(".gitignore")).get(1), "kept out of git");
    }

    @Test
    void cacheFingerprintDiffersFromTheParents(@TempDir Path cache) {
        try (CachingEncoder p = CachingEncoder.open(parent, EncoderOptions.DEFAULTS, cache);
             CachingEncoder t = CachingEncoder.open(Encoders.find(models, "minilm-tuned"), EncoderOptions.DEFAULTS,
                     cache)) {
            assertNotEquals(p.fingerprint(), t.fingerprint());
            assertNotEquals(p.cache(), t.cache());
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
