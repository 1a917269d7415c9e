package quarry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI as a user runs it: exit codes, one-line errors, files written. */
@Tag("integration")
class MainTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;
    private String savedHome;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        savedHome = System.getProperty("quarry.home");
        System.setProperty("quarry.home", dir.resolve("home").toString());
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
        if (savedHome == null) {
            System.clearProperty("quarry.home");
        } else {
            System.setProperty("quarry.home", savedHome);
        }
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return Main.run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void embedWritesVectorsAndTheSecondRunComesFromTheCache() throws IOException {
        Path data = dir.resolve("docs.jsonl");
        Files.writeString(data, """
                {"id": "a", "text": "where is my parcel", "label": "delivery"}
                {"id": "b", "text": "my card was declined at the shop", "label": "card"}
                {"id": "c", "text": "the parcel has not arrived yet"}
                """);
        assertEquals(0, run("embed", "--data", data.toString(), "--out", dir.resolve("out").toString()), err());
        assertTrue(out().contains("embedded 3 documents") && out().contains("0 from cache, 3 newly encoded"), out());
        assertEquals(3L * 384 * Float.BYTES, Files.size(dir.resolve("out/vectors.f32")));
        assertEquals(List.of("a", "b", "c"), Files.readAllLines(dir.resolve("out/ids.txt")));
        assertTrue(Files.readString(dir.resolve("out/embeddings.json")).contains("\"dimension\" : 384"));

        assertEquals(0, run("embed", "--data", data.toString()), err());
        assertTrue(out().contains("3 from cache, 0 newly encoded"), out());
    }

    @Test
    void badDataFailsWithOneLineNamingFileAndLine() throws IOException {
        Path data = dir.resolve("bad.jsonl");
        Files.writeString(data, "{\"id\": \"a\", \"text\": \"fine\"}\n{\"id\": \"b\", \"text\": \n");
        assertEquals(1, run("embed", "--data", data.toString(), "--out", dir.resolve("out").toString()));
        String last = err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("quarry embed: error: bad.jsonl:2"), err());
        assertTrue(Files.notExists(dir.resolve("out")), "nothing written for bad input");
    }

    @Test
    void serveWithABadDatabaseUrlSaysWhyInOneLineWithoutThePassword() throws IOException {
        int closed;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            closed = free.getLocalPort();
        }
        String ws = dir.resolve("ws").toString();
        assertEquals(1, run("serve", "--data-dir", ws, "--port", "0", "--db", "mysql://root:hunter2@h/q"));
        assertEquals(1, err().strip().lines().count(), err());
        assertTrue(err().startsWith("quarry serve: error: 'mysql:' is not a PostgreSQL URL"), err());
        assertEquals(1, run("serve", "--data-dir", ws, "--port", "0", "--db",
                "postgresql://bob:hunter2@127.0.0.1:" + closed + "/quarry"));
        assertTrue(err().startsWith("quarry serve: error: cannot reach the PostgreSQL server of"
                + " postgresql://bob@127.0.0.1:" + closed + "/quarry"), err());
        assertTrue(!err().contains("hunter2") && !out().contains("hunter2"), err() + out());
    }

    @Test
    void missingFileIsNamed() {
        assertEquals(1, run("embed", "--data", dir.resolve("nope.csv").toString()));
        assertTrue(err().contains("nope.csv"), err());
    }

    @Test
    void missingRequiredOptionIsOneLineWithExitTwo() {
        assertEquals(2, run("embed"));
        assertEquals(1, err().strip().lines().count(), err());
        assertTrue(err().contains("--data"), err());
    }

    @Test
    void unknownEncoderListsTheInstalledOnes() throws IOException {
        Path data = dir.resolve("docs.csv");
        Files.writeString(data, "text\nhello\n");
        assertEquals(1, run("embed", "--data", data.toString(), "--encoder", "nope"));
        assertTrue(err().contains("no encoder 'nope'") && err().contains("all-minilm-l6-v2"), err());
    }

    @Test
    void encodersListsTheBuiltInModels() {
        assertEquals(0, run("encoders"));
        assertTrue(out().contains("all-minilm-l6-v2") && out().contains("ok (default)"), out());
        assertTrue(out().contains("all-minilm-l6-v2-q") && out().contains("bge-small-en-v1.5"), out());
    }

    @Test
    void everyCommandHasHelp() {
        List<List<String>> commands = new ArrayList<>();
        addCommands(new CommandLine(new Main()), new ArrayList<>(), commands);
        assertTrue(commands.containsAll(List.of(List.of("serve"), List.of("simulate"), List.of("bench", "server"))),
                commands.toString());
        // Help returns before the command runs: 'serve --help' must not start a server and block.
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (List<String> command : commands) {
                List<String> args = new ArrayList<>(command);
                args.add("--help");
                assertEquals(0, run(args.toArray(String[]::new)), command.toString());
                assertTrue(out().contains("Usage: quarry " + String.join(" ", command)), out());
                assertEquals("", err(), "help prints no warnings: " + command);
            }
        });
    }

    /** Every command path below {@code cli}, depth first. */
    private static void addCommands(CommandLine cli, List<String> path, List<List<String>> into) {
        for (Map.Entry<String, CommandLine> sub : cli.getSubcommands().entrySet()) {
            List<String> subPath = new ArrayList<>(path);
            subPath.add(sub.getKey());
            into.add(subPath);
            addCommands(sub.getValue(), subPath, into);
        }
    }

    @Test
    void demoRunsTheSimulatedLoop() {
        assertEquals(0, run("demo", "--rounds", "2", "--batch", "5"), err());
        assertTrue(out().contains("510 labeled documents over 30 labels"), out());
        assertEquals(3, out().lines().filter(l -> l.matches("\\s+\\d+\\s+[\\d.]+%\\s+[\\d.]+%")).count(), out());
    }

    @Test
    void simulateRefusesBadFineTuneCountsBeforeEmbedding(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("d");
        Files.createDirectories(data);
        Files.writeString(data.resolve("train.jsonl"), "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\",\"label\":\"y\"}\n");
        Files.writeString(data.resolve("test.jsonl"), "{\"text\":\"c\",\"label\":\"x\"}\n");
        assertEquals(1, run("simulate", "--data", data.toString(), "--out", dir.resolve("o").toString(),
                "--budget", "100", "--finetune-at", "50,20"));
        assertTrue(err().contains("--finetune-at: label counts must rise and be within the budget (100)"), err());
        assertEquals(1, run("simulate", "--data", data.toString(), "--out", dir.resolve("o").toString(),
                "--finetune-at", "50", "--finetune-mode", "pairs"));
        assertTrue(err().contains("--finetune-mode is 'pairs'; expected contrastive or classify"), err());
        Files.writeString(data.resolve("train.jsonl"), "{\"text\":\"a\",\"labels\":[\"x\",\"y\"]}\n");
        assertEquals(1, run("simulate", "--data", data.toString(), "--out", dir.resolve("o").toString(),
                "--finetune-at", "50"));
        assertTrue(err().contains("--finetune-at needs single-label data"), err());
    }
}
