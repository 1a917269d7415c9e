package quarry.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.QuarryException;

@Tag("integration")
class HeadFilesTest {

    private static final Toy TOY = new Toy(3, 30, 16, 0.8, 41);
    private static final int[] TRAIN = Toy.range(0, 60);
    private static final int[] ALL = Toy.range(0, 90);
    private static final HeadConfig SMALL = HeadConfig.defaults().withHidden(16).withSeed(4);

    private static Head head;

    @BeforeAll
    static void train() {
        head = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL.withClassWeighting(true), null, "toy-enc");
    }

    @AfterAll
    static void close() {
        head.close();
    }

    @Test
    void saveAndLoadReproduceTheHeadExactly(@TempDir Path dir) {
        head.save(dir.resolve("head"));
        try (Head loaded = Head.load(dir.resolve("head"))) {
            float[][] before = head.probabilities(TOY.vectors(), ALL);
            float[][] after = loaded.probabilities(TOY.vectors(), ALL);
            for (int i = 0; i < ALL.length; i++) {
                assertArrayEquals(before[i], after[i], "row " + i);
            }
            assertArrayEquals(head.mcDropout(TOY.vectors(), ALL, 10, 3).bald(),
                    loaded.mcDropout(TOY.vectors(), ALL, 10, 3).bald());
            assertArrayEquals(head.expectedGradientLength(TOY.vectors(), ALL),
                    loaded.expectedGradientLength(TOY.vectors(), ALL));
            assertEquals(head.labels(), loaded.labels());
            assertEquals(head.config(), loaded.config());
            assertEquals("toy-enc", loaded.encoderId());
            assertEquals(16, loaded.dimension());
            assertEquals(head.training(), loaded.training());
            assertEquals(null, loaded.thresholds());
            // a loaded head saves and loads again unchanged
            loaded.save(dir.resolve("again"));
            try (Head twice = Head.load(dir.resolve("again"))) {
                assertArrayEquals(before[5], twice.probabilities(TOY.vectors(), ALL)[5]);
            }
            // a loaded head warm-starts like the original
            try (Head warm = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL, loaded, "toy-enc")) {
                assertTrue(warm.training().warmStarted());
            }
        }
    }

    @Test
    void multiLabelHeadsKeepTheirThresholds(@TempDir Path dir) {
        HeadTest.MultiToy toy = new HeadTest.MultiToy(120, 3);
        try (Head multi = Head.train(toy.vectors(), Toy.range(0, 120), toy.targets(Toy.range(0, 120)),
                SMALL.withKind(HeadConfig.Kind.LINEAR), null, "toy")) {
            multi.save(dir);
            // saving again over an existing head replaces it
            multi.save(dir);
            try (Head loaded = Head.load(dir)) {
                assertArrayEquals(multi.thresholds(), loaded.thresholds());
                assertEquals(multi.emptyBelow(), loaded.emptyBelow());
                assertTrue(loaded.multiLabel());
                assertEquals(HeadConfig.Kind.LINEAR, loaded.config().kind());
                float[][] before = multi.probabilities(toy.vectors(), Toy.range(0, 120));
                float[][] after = loaded.probabilities(toy.vectors(), Toy.range(0, 120));
                for (int i = 0; i < before.length; i++) {
                    assertArrayEquals(before[i], after[i]);
                }
            }
        }
    }

    @Test
    void aHeadSavedBeforeTheFallbackLoadsWithoutOne(@TempDir Path dir) throws IOException {
        HeadTest.MultiToy toy = new HeadTest.MultiToy(60, 8);
        try (Head multi = Head.train(toy.vectors(), Toy.range(0, 60), toy.targets(Toy.range(0, 60)),
                SMALL.withThresholdFolds(0), null, "toy")) {
            multi.save(dir);
        }
        Path meta = dir.resolve("head.json");
        // Older heads were written without the field: they never fell back to the nearest label.
        Files.writeString(meta, Files.readString(meta).replaceAll("\"emptyBelow\" : [^,]+,", ""));
        try (Head loaded = Head.load(dir)) {
            assertEquals(0f, loaded.emptyBelow());
        }
        Files.writeString(meta, Files.readString(meta).replace("\"thresholds\"", "\"emptyBelow\" : 2.5,\n  \"thresholds\""));
        QuarryException bad = assertThrows(QuarryException.class, () -> Head.load(dir));
        assertTrue(bad.getMessage().contains(meta.toString()) && bad.getMessage().contains("emptyBelow"),
                bad.getMessage());
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) throws IOException {
        QuarryException none = assertThrows(QuarryException.class, () -> Head.load(dir.resolve("nowhere")));
        assertTrue(none.getMessage().contains(dir.resolve("nowhere").resolve("head.json").toString()),
                none.getMessage());
        head.save(dir);
        Files.delete(dir.resolve("weights.params"));
        QuarryException weights = assertThrows(QuarryException.class, () -> Head.load(dir));
        assertTrue(weights.getMessage().contains(dir.resolve("weights.params").toString()), weights.getMessage());
    }

    @Test
    void damagedFilesAreNamed(@TempDir Path dir) throws IOException {
        head.save(dir);
        Path weights = dir.resolve("weights.params");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(weights, bytes);
        QuarryException flipped = assertThrows(QuarryException.class, () -> Head.load(dir));
        assertTrue(flipped.getMessage().contains(weights.toString()) && flipped.getMessage().contains("damaged"),
                flipped.getMessage());

        head.save(dir);
        Files.write(weights, java.util.Arrays.copyOf(Files.readAllBytes(weights), 100));
        QuarryException truncated = assertThrows(QuarryException.class, () -> Head.load(dir));
        assertTrue(truncated.getMessage().contains(weights.toString()), truncated.getMessage());

        head.save(dir);
        Path meta = dir.resolve("head.json");
        Files.writeString(meta, "{\"format\": \"quarry-head\", \"version\": 1, \"labels\": [", StandardCharsets.UTF_8);
        QuarryException json = assertThrows(QuarryException.class, () -> Head.load(dir));
        assertTrue(json.getMessage().contains(meta.toString()), json.getMessage());

        head.save(dir);
        String text = Files.readString(meta).replace("\"dropout\" : 0.25", "\"dropout\" : 7.0");
        Files.writeString(meta, text);
        QuarryException setting = assertThrows(QuarryException.class, () -> Head.load(dir));
        assertTrue(setting.getMessage().contains(meta.toString()) && setting.getMessage().contains("7.0"),
                setting.getMessage());
    }

    @Test
    void aClosedHeadRefusesWork(@TempDir Path dir) {
        head.save(dir);
        Head loaded = Head.load(dir);
        loaded.close();
        loaded.close();
        assertThrows(IllegalStateException.class, () -> loaded.probabilities(TOY.vectors(), ALL));
        assertThrows(IllegalStateException.class, () -> loaded.save(dir));
    }
}
