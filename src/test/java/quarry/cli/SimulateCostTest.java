package quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.Cli;

/** {@code simulate}'s cost table on a small slice of CLINC150: rates, savings against its own random run. */
@Tag("data")
class SimulateCostTest {

    @TempDir
    Path dir;
    private String savedHome;

    @BeforeEach
    void home() {
        savedHome = System.getProperty("quarry.home");
        System.setProperty("quarry.home", dir.resolve("home").toString());
    }

    @AfterEach
    void restore() {
        if (savedHome == null) {
            System.clearProperty("quarry.home");
        } else {
            System.setProperty("quarry.home", savedHome);
        }
    }

    /** CLINC150's first 10 intents (train and valid), so that every valid label occurs in the pool. */
    private Path slice() throws java.io.IOException {
        String property = System.getProperty("quarry.sharedData");
        Path data = (property != null ? Path.of(property) : Path.of("..", "shared", "data")).resolve("clinc150");
        assertTrue(Files.isDirectory(data), "shared data not found at " + data.toAbsolutePath());
        Path out = dir.resolve("clinc150-10");
        if (!Files.isDirectory(out)) {
            Files.createDirectories(out);
            ObjectMapper json = new ObjectMapper();
            java.util.Set<String> labels = new java.util.TreeSet<>();
            for (String line : Files.readAllLines(data.resolve("train.jsonl"))) {
                labels.add(json.readTree(line).get("label").asText());
            }
            labels.remove("oos");
            java.util.Set<String> kept = labels.stream().limit(10).collect(java.util.stream.Collectors.toSet());
            for (String split : List.of("train.jsonl", "valid.jsonl")) {
                List<String> lines = new java.util.ArrayList<>();
                for (String line : Files.readAllLines(data.resolve(split))) {
                    if (kept.contains(json.readTree(line).get("label").asText())) {
                        lines.add(line);
                    }
                }
                Files.write(out.resolve(split), lines);
            }
        }
        return out;
    }

    private Cli simulate(String... more) throws java.io.IOException {
        List<String> args = new java.util.ArrayList<>(List.of("simulate", "--data", slice().toString(),
                "--eval", "valid", "--strategy", "margin:plain,random:plain",
                "--seed-size", "50", "--batch", "50", "--budget", "200", "--repeats", "1", "--cv-every", "0",
                "--encoder", "all-minilm-l6-v2-q", "--out", dir.resolve("out").toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void theCostTableComesFromTheRunsOwnCurvesAndRates() throws Exception {
        Cli hourly = simulate("--hourly-rate", "36", "--seconds-per-label", "10", "--currency", "EUR");
        assertEquals(0, hourly.code(), hourly.err());
        String summary = Files.readString(dir.resolve("out").resolve("summary.md"));
        assertTrue(summary.contains("Cost (36 EUR an hour, 10 s a label"), summary);
        assertTrue(summary.contains("| strategy | labels | EUR per label | EUR spent | hours |"), summary);
        // 200 labels at 10 s and 36 an hour: 0.100 a label, 20.00 in all, 0.56 hours.
        String margin = summary.lines().filter(l -> l.startsWith("| margin:plain | 200 |")).findFirst().orElseThrow();
        assertTrue(margin.startsWith("| margin:plain | 200 | 0.100 | 20.00 | 0.56 |"), margin);
        String random = summary.lines().filter(l -> l.startsWith("| random:plain | 200 |")).findFirst().orElseThrow();
        assertTrue(random.endsWith("| 1.00× | 0 | 0.00 | 0.00 |"), "no savings against itself: " + random);

        JsonNode cost = new ObjectMapper().readTree(dir.resolve("out").resolve("results.json").toFile()).get("cost");
        JsonNode saved = cost.get("margin:plain").get("labelsSaved");
        assertTrue(saved.get("value").isNumber(), saved.toString());
        assertTrue(saved.get("source").asText().startsWith("random's "), saved.toString());
        JsonNode target = cost.get("margin:plain").get("targetAccuracy");
        assertTrue(target.get("value").asDouble() > 0 && target.get("value").asDouble() <= 100, target.toString());
        // Money saved is labels saved at the same cost per label.
        assertEquals(saved.get("value").asDouble() * 0.1, cost.get("margin:plain").get("moneySaved").get("value")
                .asDouble(), 1e-9);

        // The runs are kept: another rate only reprices them.
        Cli perLabel = simulate("--cost-per-label", "0.5", "--currency", "USD");
        assertEquals(0, perLabel.code(), perLabel.err());
        assertTrue(perLabel.out().contains("| margin:plain | 200 | 0.500 | 100.00 |"), perLabel.out());

        Cli both = simulate("--hourly-rate", "30", "--cost-per-label", "1");
        assertEquals(1, both.code());
        assertTrue(both.err().contains("--cost-per-label: give either --hourly-rate or --cost-per-label, not both"),
                both.err());
        Cli lower = simulate("--cost-per-label", "1", "--currency", "usd");
        assertEquals(1, lower.code());
        assertTrue(lower.err().contains("--currency: a three-letter ISO 4217 code"), lower.err());
        Cli zero = simulate("--seconds-per-label", "0");
        assertEquals(1, zero.code());
        assertTrue(zero.err().contains("--seconds-per-label must be above 0"), zero.err());
    }
}
