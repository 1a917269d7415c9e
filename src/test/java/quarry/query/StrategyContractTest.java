package quarry.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import quarry.core.Pick;
import quarry.core.Progress;
import quarry.core.Vectors;
import quarry.index.VectorIndex;
import quarry.model.Committee;
import quarry.model.Head;
import quarry.model.HeadConfig;
import quarry.model.Targets;

/** The contract every strategy keeps, run with a real head, committee and vector index. */
@Tag("integration")
class StrategyContractTest {

    private static final int CLUSTERS = 6;

    @TempDir
    static Path dir;

    private static Synthetic data;
    private static Vectors pool;
    private static int[] labeled;
    private static int[] candidates;
    private static Head head;
    private static Committee committee;
    private static VectorIndex index;
    private static Head multiHead;

    @BeforeAll
    static void setUp() {
        data = Synthetic.clusters(CLUSTERS, 40, 16, 0.5, 21);
        pool = Vectors.of(data.vectors);
        labeled = IntStream.range(0, 3 * CLUSTERS).toArray(); // rows 0..17: three per cluster
        candidates = IntStream.range(3 * CLUSTERS, pool.size()).toArray();
        List<String> names = IntStream.range(0, CLUSTERS).mapToObj(c -> "c" + c).toList();
        int[][] classes = Arrays.stream(labeled).mapToObj(r -> new int[] {data.cluster[r]}).toArray(int[][]::new);
        Targets targets = new Targets(names, false, classes);
        HeadConfig config = HeadConfig.defaults().withHidden(16).withSeed(3);
        head = Head.train(pool, labeled, targets, config, null, "synthetic");
        committee = Committee.train(pool, labeled, targets, config, 3, "synthetic");
        // multi-label: each document carries its cluster and, for even clusters, label "even"
        List<String> mlNames = new ArrayList<>(names);
        mlNames.add("even");
        int[][] mlClasses = Arrays.stream(labeled).mapToObj(r -> data.cluster[r] % 2 == 0
                ? new int[] {data.cluster[r], CLUSTERS} : new int[] {data.cluster[r]}).toArray(int[][]::new);
        multiHead = Head.train(pool, labeled, new Targets(mlNames, true, mlClasses), config, null, "synthetic");
        index = VectorIndex.open(dir.resolve("index"), 16);
        index.add(IntStream.range(0, pool.size()).toArray(), pool, Progress.NONE);
        index.refreshDensities(Progress.NONE);
        index.commit();
    }

    @AfterAll
    static void tearDown() {
        head.close();
        multiHead.close();
        committee.close();
        index.close();
    }

    static List<String> singleLabel() {
        return Strategies.singleLabelNames();
    }

    static List<String> multiLabel() {
        return Strategies.names().stream().filter(n -> n.startsWith("ml-")).toList();
    }

    private static QueryContext context(Head model, int[] cands, long seed) {
        return QueryContext.of(pool, cands).withLabeled(labeled).withHead(model).withCommittee(committee)
                .withIndex(index).withLabelCounts(new int[] {3, 3, 3, 3, 3, 3}, 1.5).withSeed(seed).withChunkSize(50);
    }

    private static void checkContract(String name, Head model) {
        for (Strategies.Options options : List.of(Strategies.Options.DEFAULTS,
                Strategies.Options.DEFAULTS.withDiversity(0.95).withClassBalanced(true))) {
            QueryStrategy strategy = Strategies.byName(name, options);
            List<Pick> picks = strategy.select(context(model, candidates, 7), 10);
            Set<Integer> allowed = new HashSet<>();
            Arrays.stream(candidates).forEach(allowed::add);
            Set<Integer> rows = new HashSet<>();
            for (Pick p : picks) {
                assertTrue(allowed.contains(p.row()), name + ": picked a labeled or unknown row " + p.row());
                assertTrue(rows.add(p.row()), name + ": picked row " + p.row() + " twice");
                assertTrue(p.note() != null && !p.note().isBlank(), name + ": pick without a reason");
            }
            assertTrue(picks.size() <= 10, name + ": batch size exceeded");
            if (Double.isNaN(options.diversityTau())) {
                assertEquals(10, picks.size(), name + ": short batch");
            }
            assertEquals(picks, strategy.select(context(model, candidates, 7), 10), name + ": same seed, other batch");

            int[] few = Arrays.copyOf(candidates, 4);
            List<Pick> small = strategy.select(context(model, few, 7), 10);
            assertTrue(small.size() <= 4 && small.stream().allMatch(p -> p.row() < candidates[0] + 4), name);
            if (Double.isNaN(options.diversityTau())) {
                assertEquals(4, small.size(), name + ": pool smaller than the batch");
            }
            assertEquals(List.of(), strategy.select(context(model, new int[0], 7), 10), name + ": empty pool");
        }
    }

    @ParameterizedTest
    @MethodSource("singleLabel")
    void singleLabelStrategyKeepsTheContract(String name) {
        checkContract(name, head);
    }

    @ParameterizedTest
    @MethodSource("multiLabel")
    void multiLabelStrategyKeepsTheContract(String name) {
        checkContract(name, multiHead);
    }

    @ParameterizedTest
    @MethodSource("singleLabel")
    void withoutAModelEveryStrategyStillPicks(String name) {
        List<Pick> picks = Strategies.byName(name).select(QueryContext.of(pool, candidates).withSeed(1), 6);
        assertEquals(6, picks.size(), name);
    }

    /**
     * A tight cluster of 30 documents and 10 scattered outliers, with a classifier double that is a
     * little less sure about the outliers: plain margin picks the outliers, density-margin the
     * typical documents, because the index gives every cluster member a higher density.
     */
    @org.junit.jupiter.api.Test
    void densityWeightingPrefersTypicalDocumentsOverOutliers() {
        int typical = 30;
        float[][] cluster = Synthetic.clusters(1, typical, 16, 0.3, 5).vectors;
        float[][] outliers = Synthetic.clusters(10, 1, 16, 0.0, 6).vectors; // random unit directions
        float[][] rows = new float[typical + outliers.length][];
        float[][] probs = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = r < typical ? cluster[r] : outliers[r - typical];
            // margin 0.2 for typical documents, 0 for outliers
            probs[r] = r < typical ? new float[] {0.6f, 0.4f} : new float[] {0.5f, 0.5f};
        }
        Vectors vectors = Vectors.of(rows);
        int[] all = IntStream.range(0, rows.length).toArray();
        try (VectorIndex typicalIndex = VectorIndex.open(dir.resolve("typical"), 16)) {
            typicalIndex.add(all, vectors, Progress.NONE);
            typicalIndex.refreshDensities(Progress.NONE);
            float[] density = typicalIndex.densities(all);
            float leastTypical = Float.POSITIVE_INFINITY;
            float densestOutlier = Float.NEGATIVE_INFINITY;
            for (int r = 0; r < rows.length; r++) {
                if (r < typical) {
                    leastTypical = Math.min(leastTypical, density[r]);
                } else {
                    densestOutlier = Math.max(densestOutlier, density[r]);
                }
            }
            assertTrue(leastTypical > densestOutlier, "least dense cluster member " + leastTypical
                    + " vs densest outlier " + densestOutlier);

            QueryContext ctx = QueryContext.of(vectors, all)
                    .withHead(new FixedClassifier(List.of("a", "b"), probs)).withIndex(typicalIndex).withSeed(7);
            List<Pick> uncertain = Strategies.byName("margin").select(ctx, 10);
            assertTrue(uncertain.stream().allMatch(p -> p.row() >= typical), "margin alone picks the outliers");
            List<Pick> picks = Strategies.byName("density-margin").select(ctx, 10);
            assertEquals(10, picks.size());
            for (Pick p : picks) {
                assertTrue(p.row() < typical, "density-margin picked outlier " + p.row());
                assertEquals(density[p.row()], p.density(), 1e-6, "density carried in the reasons");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void curriculumOrdersEasyToHard() {
        List<Pick> picks = Strategies.easyToHard(Strategies.byName("entropy").select(context(head, candidates, 7), 8));
        for (int i = 1; i < picks.size(); i++) {
            assertTrue(picks.get(i - 1).uncertainty() <= picks.get(i).uncertainty());
        }
    }
}
