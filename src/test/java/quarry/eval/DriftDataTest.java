package quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;
import quarry.core.Progress;
import quarry.core.Sampling;
import quarry.core.Vectors;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.encode.CachingEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.index.VectorIndex;
import quarry.model.Head;
import quarry.model.HeadConfig;
import quarry.model.Targets;

/**
 * The drift statistics on CLINC150's valid split (MiniLM embeddings, 20 messages per intent):
 * two random halves of the split look alike; a batch where ten held-out intents arrive does not,
 * and its novel regions hold the held-out intents.
 */
@Tag("data")
class DriftDataTest {

    @TempDir
    static Path dir;

    static Vectors x;
    static int[] y;
    static List<String> texts;
    static List<String> names;
    static Set<Integer> held;
    /** Pool order: known intents' first 14 messages, then a calm batch, then a drift batch. */
    static int[] poolRows;
    static int calmStart;
    static int driftStart;
    static VectorIndex index;
    static Vectors pool;
    static int[] labeled;
    static Head head;

    @BeforeAll
    static void load() throws Exception {
        String shared = System.getProperty("quarry.sharedData", "../shared/data");
        List<Document> docs = DocumentImporter.read(Path.of(shared, "clinc150", "valid.jsonl"),
                ImportOptions.defaults()).documents().stream().filter(d -> !d.labels().get(0).equals("oos")).toList();
        names = new ArrayList<>(new TreeSet<>(docs.stream().map(d -> d.labels().get(0)).toList()));
        y = docs.stream().mapToInt(d -> names.indexOf(d.labels().get(0))).toArray();
        texts = docs.stream().map(Document::text).toList();
        try (CachingEncoder e = Encoders.openCached("all-minilm-l6-v2", EncoderOptions.DEFAULTS)) {
            x = Vectors.of(e.encode(texts));
        }
        held = new HashSet<>();
        Arrays.stream(Sampling.sample(names.size(), 10, 5)).forEach(held::add);
        List<Integer> known = new ArrayList<>();
        List<Integer> calm = new ArrayList<>();
        List<Integer> drift = new ArrayList<>();
        int[] seen = new int[names.size()];
        for (int i = 0; i < y.length; i++) {
            int k = seen[y[i]]++;
            if (held.contains(y[i])) {
                drift.add(i); // all 200 of the held-out intents' messages
            } else if (k < 14) {
                known.add(i);
            } else if (k < 17) {
                calm.add(i); // 3 fresh messages of each known intent
            } else if (k < 19) {
                drift.add(i); // 2 more, beside the held-out ones
            }
        }
        calmStart = known.size();
        driftStart = calmStart + calm.size();
        poolRows = IntStream.concat(IntStream.concat(known.stream().mapToInt(i -> i), calm.stream().mapToInt(i -> i)),
                drift.stream().mapToInt(i -> i)).toArray();
        pool = Vectors.of(Arrays.stream(poolRows).mapToObj(x::row).toArray(float[][]::new));
        index = VectorIndex.open(dir.resolve("index"), pool.dimension());
        index.add(IntStream.range(0, pool.size()).toArray(), pool, Progress.NONE);
        index.refreshDensities(Progress.NONE);
        // five labels per known intent, the first five of its messages
        labeled = IntStream.range(0, calmStart).filter(r -> r % 14 < 5).toArray();
        int[][] classes = Arrays.stream(labeled).mapToObj(r -> new int[] {y[poolRows[r]]}).toArray(int[][]::new);
        head = Head.train(pool, labeled, new Targets(names, false, classes), HeadConfig.defaults().withSeed(3), null,
                "minilm");
    }

    @AfterAll
    static void close() {
        head.close();
        index.close();
    }

    @Test
    void twoRandomHalvesOfOneSplitLookAlike() {
        int[] order = Sampling.sample(x.size(), x.size(), 11);
        float[][] a = x.rows(Arrays.copyOfRange(order, 0, 300));
        float[][] b = x.rows(Arrays.copyOfRange(order, x.size() / 2, x.size() / 2 + 300));
        Drift.TwoSample same = Drift.mmd(a, b, 200, 1);
        assertTrue(same.pValue() > 0.05, "no drift between halves: " + same);
        float[][] heldOut = x.rows(IntStream.range(0, x.size()).filter(i -> held.contains(y[i])).limit(150).toArray());
        float[][] mixed = new float[300][];
        System.arraycopy(heldOut, 0, mixed, 0, 150);
        System.arraycopy(b, 0, mixed, 150, 150);
        Drift.TwoSample moved = Drift.mmd(a, mixed, 200, 1);
        assertTrue(moved.pValue() < 0.01, "half the batch from held-out intents: " + moved);
        assertTrue(moved.mmd2() > 10 * Math.max(same.mmd2(), 1e-4), same + " against " + moved);
    }

    @Test
    void aCalmBatchRaisesNoSignal() {
        DriftCheck.Report calm = DriftCheck.check(pool, 0 + calmStart, driftStart, head, index, labeled,
                r -> texts.get(poolRows[r]), DriftCheck.Settings.DEFAULTS, 7);
        assertEquals(4, calm.signals().size(), calm.toString());
        assertFalse(calm.drifted(), "fresh messages of known intents: " + calm.signals());
        assertTrue(calm.summary().startsWith("this batch looks like the data the model knows"), calm.summary());
    }

    @Test
    void heldOutIntentsFireAndTheirRegionsHoldThem() {
        DriftCheck.Report drift = DriftCheck.check(pool, driftStart, pool.size(), head, index, labeled,
                r -> texts.get(poolRows[r]), DriftCheck.Settings.DEFAULTS, 7);
        assertTrue(drift.fired(DriftCheck.EMBEDDING), drift.signals().toString());
        assertTrue(drift.fired(DriftCheck.LOW_CONFIDENCE), drift.signals().toString());
        assertTrue(drift.fired(DriftCheck.NEW_REGIONS), drift.signals().toString());
        assertTrue(drift.lowAfter() > drift.lowBefore() + 0.1, drift.lowBefore() + " -> " + drift.lowAfter());
        String words = drift.signals().stream().filter(s -> s.name().equals(DriftCheck.NEW_REGIONS)).findFirst()
                .orElseThrow().words();
        assertTrue(words.contains("no labeled neighbour, e.g. \""), words);

        // the regions themselves: mostly held-out intents' messages
        int[] batch = IntStream.range(driftStart, pool.size()).toArray();
        float[][] labeledVectors = pool.rows(labeled);
        float[] nearest = Drift.nearestSimilarity(pool.rows(batch), labeledVectors);
        double far = Drift.quantile(Drift.nearestSimilarity(pool.rows(IntStream.range(0, calmStart).toArray()),
                labeledVectors), DriftCheck.Settings.DEFAULTS.farQuantile());
        List<Drift.Region> regions = Drift.novelRegions(batch, nearest, far, r -> r >= driftStart, index, 10, 0.5, 5);
        assertFalse(regions.isEmpty());
        int inRegions = 0;
        int heldInRegions = 0;
        for (Drift.Region g : regions) {
            for (int r : g.rows()) {
                inRegions++;
                heldInRegions += held.contains(y[poolRows[r]]) ? 1 : 0;
            }
        }
        assertTrue(heldInRegions >= 0.8 * inRegions, heldInRegions + " of " + inRegions + " region rows held out");
        assertTrue(inRegions >= 30, "the regions cover a good part of the 200 held-out messages: " + inRegions);
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DriftCheck.check(pool, 10, 5, head, index, labeled, r -> "", DriftCheck.Settings.DEFAULTS, 1));
        assertTrue(e.getMessage().contains("[10, 5)"), e.getMessage());
        assertThrows(() -> Drift.mmd(new float[1][4], new float[3][4], 10, 1));
    }

    private static void assertThrows(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e);
    }
}
