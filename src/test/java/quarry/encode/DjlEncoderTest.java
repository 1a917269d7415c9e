package quarry.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The real all-MiniLM-L6-v2 encoder, loaded once for the class. */
@Tag("integration")
class DjlEncoderTest {

    private static DjlEncoder encoder;

    @BeforeAll
    static void load() {
        encoder = DjlEncoder.load(TestModels.minilm(), EncoderOptions.DEFAULTS.withPoolSize(2).withBatchSize(4));
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void paraphrasesAreCloserThanUnrelatedSentences() {
        float[][] v = encoder.encode(List.of(
                "How do I reset my password?",
                "I forgot my password and need to change it",
                "What is the weather like in Paris tomorrow?",
                "Will it rain in Paris tomorrow?"));
        assertEquals(4, v.length);
        assertEquals(384, v[0].length);
        assertTrue(dot(v[0], v[1]) > dot(v[0], v[2]) + 0.3, "password paraphrases closer than weather");
        assertTrue(dot(v[2], v[3]) > dot(v[2], v[1]) + 0.3, "weather paraphrases closer than password");
        for (float[] row : v) {
            assertEquals(1.0, Math.sqrt(dot(row, row)), 1e-4, "unit length");
        }
    }

    @Test
    void resultsDoNotDependOnBatchingOrOrder() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            texts.add("sentence number " + i + " " + "word ".repeat(i));
        }
        float[][] forward = encoder.encode(texts);
        List<String> reversed = new ArrayList<>(texts);
        Collections.reverse(reversed);
        float[][] backward = encoder.encode(reversed);
        for (int i = 0; i < texts.size(); i++) {
            assertTrue(dot(forward[i], backward[texts.size() - 1 - i]) > 0.9999, "row " + i);
        }
    }

    @Test
    void longTextIsEmbeddedAsTheMeanOfItsWindowsNotCutOff() {
        String cooking = "Simmer the tomato sauce with garlic and basil, then stir in the pasta. ".repeat(30);
        String football = "The striker scored a late goal and the team won the football match. ".repeat(30);
        String document = cooking + football;
        float[] whole = encoder.encode(List.of(document))[0];
        float[][] parts = encoder.encode(List.of(cooking, football));
        // Truncated to one window, the document would be all about cooking; windowed, it keeps
        // the football half too.
        assertTrue(dot(whole, parts[1]) > 0.5, "football half still present: " + dot(whole, parts[1]));
        assertTrue(dot(whole, parts[0]) > 0.5, "cooking half present: " + dot(whole, parts[0]));
        assertEquals(1.0, Math.sqrt(dot(whole, whole)), 1e-4);
    }

    @Test
    void concurrentCallersGetTheSameVectorsAsOne() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            texts.add("request " + i + ": please " + (i % 2 == 0 ? "refund my order" : "reset my password"));
        }
        float[][] expected = encoder.encode(texts);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<float[][]>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> encoder.encode(texts)));
            }
            for (java.util.concurrent.Future<float[][]> r : results) {
                float[][] got = r.get();
                for (int i = 0; i < texts.size(); i++) {
                    assertTrue(dot(expected[i], got[i]) > 0.9999, "row " + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void progressReachesTheTotal() {
        long[] last = {0, 0};
        encoder.encode(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"), (done, total) -> {
            synchronized (last) {
                last[0] = Math.max(last[0], done);
                last[1] = total;
            }
        });
        assertEquals(9, last[0]);
        assertEquals(9, last[1]);
    }
}
