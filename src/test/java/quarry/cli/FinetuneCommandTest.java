package quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.Main;
import quarry.encode.Encoders;

/** {@code quarry finetune} as a user runs it: one-line errors before any training, and one short run. */
@Tag("integration")
class FinetuneCommandTest {

    @TempDir
    Path dir;

    private Path models;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    /** A models folder holding only MiniLM (linked), so the test writes nothing into the real one. */
    @BeforeEach
    void setUp() throws IOException {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        models = Files.createDirectory(dir.resolve("models"));
        Files.createSymbolicLink(models.resolve("all-minilm-l6-v2"),
                Encoders.modelsDir().resolve("all-minilm-l6-v2").toAbsolutePath());
    }

    @AfterEach
    void restore() throws IOException {
        Files.delete(models.resolve("all-minilm-l6-v2")); // the link only, before JUnit warns about it
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[] {"--models", models.toString(), "--encoder", "all-minilm-l6-v2"}, 0, all,
                args.length, 4);
        return Main.run(all);
    }

    private String lastError() {
        return err.toString(StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElse("");
    }

    private Path data(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private Path goodData() throws IOException {
        StringBuilder rows = new StringBuilder();
        String[][] examples = {
            {"card", "my card was declined"}, {"card", "the shop refused my card"}, {"card", "card payment failed"},
            {"parcel", "where is my parcel"}, {"parcel", "the parcel has not arrived"}, {"parcel", "track my parcel"},
            {"refund", "I want my money back"}, {"refund", "how do I get a refund"}, {"refund", "refund my order"}};
        for (int i = 0; i < examples.length; i++) {
            rows.append("{\"id\": \"r").append(i).append("\", \"text\": \"").append(examples[i][1])
                    .append("\", \"label\": \"").append(examples[i][0]).append("\"}\n");
        }
        return data("good.jsonl", rows.toString());
    }

    @Test
    void tunesAndInstallsAnEncoderThatEncodersLists() throws IOException {
        assertEquals(0, run("finetune", "--data", goodData().toString(), "--out", "tiny-tuned", "--pairs-per-example",
                "2", "--batch", "9", "--max-tokens", "16", "--cpu"), err.toString(StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("fine-tuned all-minilm-l6-v2 (classify) on 9 texts with 3 labels: 3 of 3 steps"),
                printed);
        assertTrue(printed.matches("(?s).*loss on a held-in sample: \\d\\.\\d{4} before, \\d\\.\\d{4} after.*"), printed);
        assertTrue(printed.contains("wrote " + models.resolve("tiny-tuned")), printed);
        assertTrue(Files.isRegularFile(models.resolve("tiny-tuned/model.onnx")));

        out.reset();
        assertEquals(0, Main.run("encoders", "--models", models.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).lines().anyMatch(l -> l.startsWith("tiny-tuned")
                && l.endsWith(" ok")), out.toString(StandardCharsets.UTF_8));

        assertEquals(1, run("finetune", "--data", goodData().toString(), "--out", "tiny-tuned"));
        assertTrue(lastError().contains("tiny-tuned already exists"), lastError());
    }

    @Test
    void outNamesWithPathCharactersAreRefused() throws IOException {
        for (String name : new String[] {"../escape", "a/b", "/tmp/x", ".hidden"}) {
            assertEquals(1, run("finetune", "--data", goodData().toString(), "--out", name));
            assertTrue(lastError().startsWith("quarry finetune: error: encoder name '" + name
                    + "' is not a plain folder name"), lastError());
        }
        assertTrue(Files.notExists(dir.resolve("escape")));
    }

    @Test
    void badRowsAreNamedByFileLineAndField() throws IOException {
        Path bad = data("bad.jsonl", "{\"id\": \"a\", \"text\": \"fine\", \"label\": \"x\"}\n{\"id\": \"b\", \"label\": \"y\"}\n");
        assertEquals(1, run("finetune", "--data", bad.toString(), "--out", "t"));
        assertTrue(lastError().startsWith("quarry finetune: error: bad.jsonl:2"), lastError());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("text"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unlabeledAndMultiLabelRowsAreRefusedByDocument() throws IOException {
        Path unlabeled = data("unlabeled.csv", "id,text,label\na,hello,x\nb,goodbye,\n");
        assertEquals(1, run("finetune", "--data", unlabeled.toString(), "--out", "t"));
        assertTrue(lastError().contains("document 'b' has 0 labels; finetune needs exactly one label per row"),
                lastError());
        Path multi = data("multi.jsonl", "{\"id\": \"m\", \"text\": \"hi\", \"labels\": [\"x\", \"y\"]}\n");
        assertEquals(1, run("finetune", "--data", multi.toString(), "--out", "t"));
        assertTrue(lastError().contains("document 'm' has 2 labels"), lastError());
    }

    @Test
    void oneLabelOrBadSettingsFailWithTheReason() throws IOException {
        Path one = data("one.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": \"x\"}\n");
        assertEquals(1, run("finetune", "--data", one.toString(), "--out", "t"));
        assertTrue(lastError().contains("needs at least two different labels"), lastError());
        assertEquals(1, run("finetune", "--data", goodData().toString(), "--out", "t", "--mode", "magic"));
        assertTrue(lastError().contains("--mode is 'magic'; expected contrastive or classify"), lastError());
        assertEquals(1, run("finetune", "--data", goodData().toString(), "--out", "t", "--epochs", "0"));
        assertTrue(lastError().contains("epochs must be 1 to 100, got 0"), lastError());
        assertEquals(2, run("finetune", "--data", goodData().toString()));
        assertTrue(lastError().contains("--out"), lastError());
        try (var left = Files.list(models)) {
            assertEquals(1, left.count(), "nothing written");
        }
    }
}
