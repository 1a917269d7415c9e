package quarry.index;

import quarry.core.Neighbor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import quarry.core.ArrayVectors;
import quarry.core.QuarryException;
import quarry.core.Vectors;

@Tag("integration")
class VectorIndexTest {

    private static final int DIM = 32;

    @TempDir
    Path dir;

    /** Small pools are searched exactly, so tiny sets must match brute force row for row. */
    private static VectorIndex.Options exact() {
        return VectorIndex.Options.defaults().withThreads(2).withRamBufferMB(64);
    }

    /** Forces the HNSW graph even on small pools. */
    private static VectorIndex.Options graph() {
        return exact().withExactBelow(0);
    }

    private static Vectors pool(int n, int clusters, int outliers, long seed) {
        return new ArrayVectors(Synthetic.clustered(n, DIM, clusters, 0.08f, outliers, seed));
    }

    private static int[] rowsOf(List<Neighbor> hits) {
        return hits.stream().mapToInt(Neighbor::row).toArray();
    }

    @Test
    void nearestIsExactOnATinySet() {
        Vectors vectors = pool(300, 5, 10, 1);
        int[] all = Synthetic.range(0, 300);
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            index.add(all, vectors, null);
            Random random = new Random(2);
            for (int q = 0; q < 20; q++) {
                float[] query = Synthetic.normalise(Synthetic.gaussian(random, DIM, 1f));
                List<Neighbor> hits = index.nearest(query, 10);
                assertArrayEquals(Synthetic.bruteForce(vectors, all, query, 10, -1), rowsOf(hits));
                for (Neighbor hit : hits) {
                    assertEquals(Synthetic.dot(query, vectors.row(hit.row())), hit.similarity(), 1e-5);
                }
            }
        }
    }

    @Test
    void nearestAmongIsExactOverTheGivenRowsAcrossSegments() {
        Vectors vectors = pool(600, 6, 10, 7);
        try (VectorIndex index = VectorIndex.open(dir, DIM, graph())) {
            // Three commits: three segments, so the walk must cross segment boundaries.
            for (int part = 0; part < 3; part++) {
                index.add(Synthetic.range(part * 200, part * 200 + 200), vectors, null);
                index.commit();
            }
            int[] among = java.util.stream.IntStream.range(0, 600).filter(r -> r % 7 == 3).toArray();
            int[] withMissing = java.util.Arrays.copyOf(among, among.length + 1);
            withMissing[among.length] = 5000; // not in the index: left out
            Random random = new Random(8);
            for (int q = 0; q < 10; q++) {
                float[] query = Synthetic.normalise(Synthetic.gaussian(random, DIM, 1f));
                int[] expected = Synthetic.bruteForce(vectors, among, query, 3, -1);
                List<Neighbor> got = index.nearestAmong(query, withMissing, 3);
                assertArrayEquals(expected, got.stream().mapToInt(Neighbor::row).toArray());
                assertEquals(Synthetic.dot(query, vectors.row(expected[0])), got.get(0).similarity(), 1e-5);
            }
            assertTrue(index.nearestAmong(Synthetic.normalise(Synthetic.gaussian(random, DIM, 1f)), new int[0], 3)
                    .isEmpty());
        }
    }

    @Test
    void graphSearchFindsTheTrueNeighboursOnTwoThousand() {
        Vectors vectors = pool(2000, 20, 50, 3);
        int[] all = Synthetic.range(0, 2000);
        try (VectorIndex index = VectorIndex.open(dir, DIM, graph())) {
            index.add(all, vectors, null);
            Random random = new Random(4);
            int found = 0;
            int queries = 50;
            for (int q = 0; q < queries; q++) {
                // Queries near the data (perturbed pool rows), like real ones.
                float[] query = vectors.row(random.nextInt(2000)).clone();
                float[] noise = Synthetic.gaussian(random, DIM, 0.05f);
                for (int d = 0; d < DIM; d++) {
                    query[d] += noise[d];
                }
                Synthetic.normalise(query);
                List<Neighbor> hits = index.nearest(query, 10);
                assertEquals(10, hits.size());
                for (int i = 1; i < hits.size(); i++) {
                    assertTrue(hits.get(i - 1).similarity() >= hits.get(i).similarity(), "best first");
                }
                for (Neighbor hit : hits) {
                    assertEquals(Synthetic.dot(query, vectors.row(hit.row())), hit.similarity(), 1e-5);
                }
                Set<Integer> truth = new HashSet<>();
                for (int r : Synthetic.bruteForce(vectors, all, query, 10, -1)) {
                    truth.add(r);
                }
                found += (int) hits.stream().filter(h -> truth.contains(h.row())).count();
            }
            double recall = found / (10.0 * queries);
            assertTrue(recall >= 0.9, "recall@10 " + recall);
        }
    }

    @Test
    void neighboursExcludeTheRowItself() {
        Vectors vectors = pool(400, 8, 0, 5);
        int[] all = Synthetic.range(0, 400);
        for (VectorIndex.Options options : List.of(exact(), graph())) {
            Path sub = dir.resolve(options.exactBelow() == 0 ? "graph" : "exact");
            try (VectorIndex index = VectorIndex.open(sub, DIM, options)) {
                index.add(all, vectors, null);
                for (int row : new int[] {0, 17, 399}) {
                    List<Neighbor> hits = index.neighbours(row, 5);
                    assertEquals(5, hits.size());
                    assertFalse(Arrays.stream(rowsOf(hits)).anyMatch(r -> r == row), "row " + row + " in " + hits);
                }
                if (options.exactBelow() > 0) {
                    assertArrayEquals(Synthetic.bruteForce(vectors, all, vectors.row(17), 5, 17),
                            rowsOf(index.neighbours(17, 5)));
                }
            }
        }
    }

    @Test
    void exactDuplicatesDoNotConfuseRowSearches() {
        // 60 copies of one vector: a search around one copy may rank other copies above it, which
        // must not be taken for a failed search. (HNSW copes badly with such groups, which link
        // mostly among themselves; searches that miss them are repaired, so results stay exact.)
        float[][] rows = Synthetic.clustered(600, DIM, 6, 0.08f, 0, 19);
        for (int i = 100; i < 160; i++) {
            rows[i] = rows[99];
        }
        Vectors vectors = new ArrayVectors(rows);
        try (VectorIndex index = VectorIndex.open(dir, DIM, graph())) {
            index.add(Synthetic.range(0, 500), vectors, null);
            List<Neighbor> hits = index.neighbours(120, 10);
            assertEquals(10, hits.size());
            for (Neighbor hit : hits) {
                assertTrue(hit.row() != 120 && hit.row() >= 99 && hit.row() < 160, hits.toString());
                assertEquals(1f, hit.similarity(), 1e-5);
            }
            index.refreshDensities(null);
            assertEquals(1f, index.density(120), 1e-5);
            assertEquals(1f, index.density(99), 1e-5);
        }
    }

    @Test
    void clusterPointsAreDenserThanOutliers() {
        Vectors vectors = pool(500, 5, 20, 6);
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            index.add(Synthetic.range(0, 500), vectors, null);
            assertTrue(Float.isNaN(index.density(0)), "no density before a refresh");
            assertEquals(500, index.refreshDensities(null));
            float clustered = index.density(0);
            float outlier = index.density(499);
            assertTrue(clustered > outlier + 0.3f, clustered + " vs " + outlier);
            // Per-call k: the single nearest neighbour is at least as close as the mean of ten.
            assertTrue(index.density(0, 1) >= clustered);
        }
    }

    @Test
    void densitiesMatchBruteForceAfterASecondBatch() {
        // 380 clustered rows and 20 outliers; one outlier moves into the first batch (row 245),
        // and a slightly moved copy of it arrives in the second: its nearest neighbour then
        // becomes far closer than any it had.
        float[][] rows = new float[401][];
        float[][] generated = Synthetic.clustered(400, DIM, 6, 0.08f, 20, 7);
        System.arraycopy(generated, 0, rows, 0, 400);
        int lonely = 245;
        rows[lonely] = generated[399];
        rows[399] = generated[lonely];
        rows[400] = rows[lonely].clone();
        rows[400][0] += 0.05f;
        Synthetic.normalise(rows[400]);
        Vectors grown = new ArrayVectors(rows);
        int[] first = Synthetic.range(0, 250);
        int[] pool = Synthetic.range(0, 401);

        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            index.add(first, grown, null);
            assertEquals(250, index.refreshDensities(null));
            float before = index.density(lonely);
            assertEquals(Synthetic.bruteForceDensity(grown, first, lonely, 10), before, 1e-4);

            index.add(Synthetic.range(250, 401), grown, null);
            assertEquals(151, index.refreshDensities(null), "only the new rows are computed");
            float after = index.density(lonely);
            assertTrue(after > before + 0.05f, before + " -> " + after);
            assertEquals(400, index.densityNeighbours(lonely)[0]);
            for (int row : pool) {
                assertEquals(Synthetic.bruteForceDensity(grown, pool, row, 10), index.density(row), 1e-4,
                        "row " + row);
            }
        }
    }

    @Test
    void graphModeFoldsNewRowsIntoOldLists() {
        Vectors vectors = pool(700, 10, 0, 8);
        int[] pool = Synthetic.range(0, 700);
        try (VectorIndex index = VectorIndex.open(dir, DIM, graph())) {
            index.add(Synthetic.range(0, 500), vectors, null);
            index.refreshDensities(null);
            index.add(Synthetic.range(500, 700), vectors, null);
            index.refreshDensities(null);
            double error = 0;
            int exactRows = 0;
            for (int row = 0; row < 500; row += 5) {
                float truth = Synthetic.bruteForceDensity(vectors, pool, row, 10);
                float got = index.density(row);
                error += Math.abs(truth - got);
                if (Math.abs(truth - got) <= 1e-4) {
                    exactRows++;
                }
            }
            // Isotropic 32-d noise is a hard case: reverse neighbours rank far down a new row's
            // own list. The bounded widening still finds nearly all of them.
            assertTrue(error / 100 < 2e-4, "mean density error " + error / 100);
            assertTrue(exactRows >= 90, exactRows + " of 100 old rows exact");
        }
    }

    @Test
    void densitiesSurviveReopen() {
        Vectors vectors = pool(300, 5, 10, 9);
        int[] rows = {3, 150, 299, 42};
        float[] saved;
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            index.add(Synthetic.range(0, 300), vectors, null);
            index.refreshDensities(null);
            saved = index.densities(rows);
        }
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            assertEquals(300, index.size());
            assertTrue(index.contains(299));
            assertArrayEquals(saved, index.densities(rows));
            assertEquals(0, index.refreshDensities(null), "nothing to recompute");
            assertEquals(5, index.neighbours(150, 5).size());
        }
        // A smaller k reuses the saved lists (the best five of ten are the five nearest).
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact().withDensityK(5))) {
            assertEquals(Synthetic.bruteForceDensity(vectors, Synthetic.range(0, 300), 150, 5),
                    index.density(150), 1e-4);
        }
    }

    @Test
    void aDamagedDensityFileIsRecomputed() throws IOException {
        Vectors vectors = pool(200, 4, 0, 10);
        float saved;
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            index.add(Synthetic.range(0, 200), vectors, null);
            index.refreshDensities(null);
            saved = index.density(7);
        }
        Path file = dir.resolve(VectorIndex.DENSITY_FILE);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(file, bytes);
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            assertTrue(Float.isNaN(index.density(7)));
            assertEquals(200, index.refreshDensities(null));
            assertEquals(saved, index.density(7), 1e-6);
        }
    }

    @Test
    void uncommittedRowsAreSearchableAndCommitMakesThemDurable() {
        Vectors vectors = pool(100, 2, 0, 11);
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            index.add(Synthetic.range(0, 60), vectors, null);
            assertEquals(60, index.size());
            index.add(Synthetic.range(60, 100), vectors, null);
            assertEquals(100, index.size());
            assertTrue(index.contains(99));
            assertFalse(index.contains(100));
            assertFalse(index.contains(-1));
            assertEquals(99, index.nearest(vectors.row(99), 1).get(0).row());
            index.commit();
        }
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            assertEquals(100, index.size());
        }
    }

    @Test
    void nonNormalisedVectorIsRejectedWithItsRow() {
        float[][] rows = Synthetic.clustered(20, DIM, 2, 0.08f, 0, 12);
        rows[7] = rows[7].clone();
        for (int d = 0; d < DIM; d++) {
            rows[7][d] *= 2;
        }
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> index.add(Synthetic.range(0, 20), new ArrayVectors(rows), null));
            assertTrue(e.getMessage().contains("row 7"), e.getMessage());
            assertTrue(e.getMessage().contains("norm 2"), e.getMessage());
            assertEquals(0, index.size(), "a bad row adds nothing");
            rows[3] = rows[3].clone();
            rows[3][5] = Float.NaN;
            e = assertThrows(IllegalArgumentException.class,
                    () -> index.add(new int[] {3}, new ArrayVectors(rows), null));
            assertTrue(e.getMessage().contains("row 3"), e.getMessage());
            float[] query = rows[7];
            e = assertThrows(IllegalArgumentException.class, () -> index.nearest(query, 3));
            assertTrue(e.getMessage().contains("query"), e.getMessage());
        }
    }

    @Test
    void duplicateRowsAreRejected() {
        Vectors vectors = pool(50, 2, 0, 13);
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            index.add(Synthetic.range(0, 30), vectors, null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> index.add(new int[] {30, 31, 12}, vectors, null));
            assertEquals("row 12 is already in the index", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> index.add(new int[] {40, 41, 40}, vectors, null));
            assertEquals("row 40 appears twice in rows", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> index.add(new int[] {50}, vectors, null));
            assertTrue(e.getMessage().contains("row 50"), e.getMessage());
            assertEquals(30, index.size());
        }
    }

    @Test
    void wrongDimensionIsRejected() {
        Vectors small = new ArrayVectors(Synthetic.clustered(10, 16, 2, 0.08f, 0, 14));
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> index.add(Synthetic.range(0, 10), small, null));
            assertTrue(e.getMessage().contains("16"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> index.nearest(small.row(0), 3));
            assertTrue(e.getMessage().contains("16"), e.getMessage());
            index.add(Synthetic.range(0, 10), pool(10, 2, 0, 15), null);
        }
        QuarryException e = assertThrows(QuarryException.class, () -> VectorIndex.open(dir, 16, exact()));
        assertTrue(e.getMessage().contains("32-dimensional"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> VectorIndex.open(dir.resolve("other"), 0));
        assertTrue(bad.getMessage().contains("got 0"), bad.getMessage());
    }

    @Test
    void withinSimilarityReturnsOnlyRowsAboveTau() {
        Vectors vectors = pool(300, 5, 10, 16);
        int[] all = Synthetic.range(0, 300);
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            index.add(all, vectors, null);
            float tau = 0.8f;
            List<Integer> near = index.withinSimilarity(0, tau, 100);
            assertFalse(near.isEmpty());
            assertFalse(near.contains(0), "the row itself is not listed");
            for (int row : near) {
                assertTrue(Synthetic.dot(vectors.row(0), vectors.row(row)) >= tau - 1e-6, "row " + row);
            }
            // Exact here: every row at or above tau is found (there are fewer than maxK).
            long expected = Arrays.stream(all)
                    .filter(r -> r != 0 && Synthetic.dot(vectors.row(0), vectors.row(r)) >= tau)
                    .count();
            assertEquals(expected, near.size());
            assertEquals(3, index.withinSimilarity(0, -1f, 3).size(), "capped at maxK");
            assertThrows(IllegalArgumentException.class, () -> index.withinSimilarity(0, 1.5f, 10));
            assertThrows(IllegalArgumentException.class, () -> index.withinSimilarity(999, 0.5f, 10));
        }
    }

    @Test
    void densitiesOfUnknownRowsAreNaN() {
        Vectors vectors = pool(30, 2, 0, 17);
        try (VectorIndex index = VectorIndex.open(dir, DIM, exact())) {
            index.add(new int[] {0}, vectors, null);
            index.refreshDensities(null);
            assertTrue(Float.isNaN(index.density(0)), "a lone row has no neighbours");
            index.add(Synthetic.range(1, 5), vectors, null);
            index.refreshDensities(null);
            // The first row's list was short; it fills as the pool grows.
            assertEquals(Synthetic.bruteForceDensity(vectors, Synthetic.range(0, 5), 0, 10), index.density(0), 1e-4);
            float[] got = index.densities(new int[] {1, 29, 1000});
            assertFalse(Float.isNaN(got[0]));
            assertTrue(Float.isNaN(got[1]));
            assertTrue(Float.isNaN(got[2]));
            assertThrows(IllegalArgumentException.class, () -> index.density(-1));
            assertThrows(IllegalArgumentException.class, () -> index.density(0, 11));
        }
    }

    @Test
    void searchesRunConcurrentlyWithAdds() throws Exception {
        Vectors vectors = pool(1600, 10, 0, 18);
        AtomicLong progress = new AtomicLong();
        try (VectorIndex index = VectorIndex.open(dir, DIM, graph())) {
            index.add(Synthetic.range(0, 800), vectors, (done, total) -> progress.set(done));
            assertEquals(800, progress.get());
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<?>> searches = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int seed = t;
                    searches.add(pool.submit(() -> {
                        Random random = new Random(seed);
                        for (int q = 0; q < 200; q++) {
                            int row = random.nextInt(800);
                            List<Neighbor> hits = index.nearest(vectors.row(row), 5);
                            assertEquals(5, hits.size());
                            index.density(row);
                        }
                        return null;
                    }));
                }
                index.add(Synthetic.range(800, 1600), vectors, null);
                index.refreshDensities(null);
                for (Future<?> search : searches) {
                    search.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1600, index.size());
        }
    }

    @Test
    void closedIndexRefusesWork() {
        VectorIndex index = VectorIndex.open(dir, DIM, exact());
        index.close();
        index.close();
        assertThrows(IllegalStateException.class, () -> index.size());
        // The lock is released: the folder opens again.
        VectorIndex.open(dir, DIM, exact()).close();
    }
}
