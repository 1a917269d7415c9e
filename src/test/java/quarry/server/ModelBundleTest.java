package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.Cli;
import quarry.bundle.BundleManifest;
import quarry.bundle.BundlePrediction;
import quarry.bundle.BundlePredictor;
import quarry.bundle.ModelBundle;
import quarry.core.Document;
import quarry.core.QuarryException;
import quarry.project.Json;
import quarry.project.MachineLabelsFixture;
import quarry.project.ProjectSession;
import quarry.project.Views;
import quarry.project.Workspace;

/**
 * A model bundle's round trip on a real slice of CLINC150 with the real MiniLM encoder: exported
 * from a running server by {@code quarry export-model}, run by {@code quarry predict}, it gives the
 * labels and probabilities the server's session gives for the same texts. And the ways it fails:
 * a foreign folder, a missing or damaged file, a bad data line, no model, an annotator's token.
 */
@Tag("integration")
@Tag("data")
class ModelBundleTest {

    @TempDir
    static Path dir;
    static Workspace workspace;
    static ProjectSession project;
    static Path adminToken;
    static Path annotatorToken;

    @BeforeAll
    static void open() throws Exception {
        workspace = Workspace.open(dir.resolve("ws"), false);
        adminToken = Files.writeString(dir.resolve("admin.token"), workspace.firstAdminToken());
        annotatorToken = Files.writeString(dir.resolve("alice.token"), workspace.createToken("alice", "annotator"));
        project = MachineLabelsFixture.create(workspace, "bundled", "all-minilm-l6-v2", null, dir);
        workspace.createProject("fresh", false, "all-minilm-l6-v2", List.of(new quarry.store.Records.Label(0, "a", null),
                new quarry.store.Records.Label(1, "b", null)), null);
        workspace.addMember("bundled", "alice");
    }

    @AfterAll
    static void close() {
        workspace.close();
    }

    private static Cli export(int port, String project, Path token, Path out) {
        return Cli.run("export-model", "--url", "http://localhost:" + port + "/", "--project", project,
                "--token-file", token.toString(), "--out", out.toString());
    }

    @Test
    void anExportedBundlePredictsAsTheServerDoes() throws Exception {
        Path bundle = dir.resolve("bundle");
        JavalinTest.test(Server.create(workspace, 1 << 20), (server, client) -> {
            Cli exported = export(server.port(), "bundled", adminToken, bundle);
            assertEquals(0, exported.code(), exported.err());
            assertTrue(exported.out().contains("model version " + project.modelStatus().version()), exported.out());

            Cli again = export(server.port(), "bundled", adminToken, bundle);
            assertEquals(1, again.code());
            assertTrue(again.err().contains("exists already"), again.err());
            Cli annotator = export(server.port(), "bundled", annotatorToken, dir.resolve("by-alice"));
            assertEquals(1, annotator.code());
            assertTrue(annotator.err().contains("HTTP 403"), annotator.err());
            Cli noModel = export(server.port(), "fresh", adminToken, dir.resolve("fresh"));
            assertEquals(1, noModel.code());
            assertTrue(noModel.err().contains("HTTP 409") && noModel.err().contains("no model yet"), noModel.err());
            assertFalse(Files.exists(dir.resolve("by-alice")) || Files.exists(dir.resolve("fresh")));
        });

        BundleManifest m = ModelBundle.verify(bundle);
        Views.Report report = project.lastReport();
        assertEquals("bundled", m.project());
        assertEquals(project.modelStatus().version(), m.modelVersion());
        assertEquals(project.labels().names(), m.labels());
        assertEquals(report.labelsUsed(), m.labelsSeen());
        assertEquals(project.encoder().fingerprint(), m.encoderFingerprint());
        assertEquals(report.safeToAccept().threshold(), m.safeToAccept().threshold(), 1e-12);
        assertEquals(report.provenance().labelsHash(), m.provenance().get("labelsHash").asText());
        assertTrue(Files.isRegularFile(bundle.resolve("encoder/all-minilm-l6-v2/model.onnx")));
        assertTrue(m.files().containsKey("head/weights.params"), m.files().keySet().toString());

        // Texts the model has not seen: the next messages of the fixture's intents, and some others.
        List<Document> texts = MachineLabelsFixture.unseen(120);
        List<String> lines = new ArrayList<>();
        for (Document d : texts) {
            lines.add(Json.write(Map.of("id", d.id(), "text", d.text())));
        }
        lines.add(Json.write(Map.of("id", "=HYPERLINK(\"x\")", "text", "=1+1 what is my balance")));
        Path data = Files.write(dir.resolve("unseen.jsonl"), lines);
        Path out = dir.resolve("predicted.jsonl");
        Cli predicted = Cli.run("predict", "--model", bundle.toString(), "--data", data.toString(), "--out",
                out.toString(), "--top-k", "3");
        assertEquals(0, predicted.code(), predicted.err());
        assertTrue(predicted.err().contains("predict [") && predicted.err().contains("100%"), predicted.err());

        List<String> ids = texts.stream().map(Document::id).toList();
        List<Views.TextPrediction> served = project.predict(ids, texts.stream().map(Document::text).toList());
        List<String> got = Files.readAllLines(out);
        assertEquals(texts.size() + 1, got.size());
        double threshold = m.safeToAccept().threshold();
        int safe = 0;
        for (int i = 0; i < texts.size(); i++) {
            JsonNode p = Json.MAPPER.readTree(got.get(i));
            Views.TextPrediction s = served.get(i);
            assertEquals(s.id(), p.get("id").asText());
            assertEquals(s.labels(), List.of(p.get("labels").get(0).asText()), "labels of " + s.id());
            assertEquals(3, p.get("top").size());
            for (int k = 0; k < 3; k++) {
                assertEquals(s.top().get(k).label(), p.get("top").get(k).get("label").asText());
                assertEquals(s.top().get(k).probability(), p.get("top").get(k).get("probability").asDouble(), 1e-5);
            }
            double confidence = p.get("confidence").asDouble();
            assertEquals(s.top().get(0).probability(), confidence, 1e-5);
            assertEquals(s.top().get(0).probability() - s.top().get(1).probability(), p.get("margin").asDouble(), 1e-5);
            assertTrue(p.get("entropy").asDouble() > 0);
            assertEquals(confidence >= threshold, p.get("safeToAccept").asBoolean());
            safe += confidence >= threshold ? 1 : 0;
        }
        assertTrue(safe > 0 && safe < texts.size(), "some but not all unseen texts are safe to accept: " + safe);

        Path csv = dir.resolve("predicted.csv");
        Cli asCsv = Cli.run("predict", "--model", bundle.toString(), "--data", data.toString(), "--out", csv.toString());
        assertEquals(0, asCsv.code(), asCsv.err());
        List<String> rows = Files.readAllLines(csv);
        assertEquals("id,labels,confidence,margin,entropy,safe_to_accept,top_labels,top_probabilities", rows.get(0));
        assertEquals(texts.size() + 2, rows.size());
        assertTrue(rows.get(1).startsWith(texts.get(0).id() + "," + served.get(0).labels().get(0) + ","), rows.get(1));
        assertTrue(rows.get(rows.size() - 1).startsWith("\"'=HYPERLINK(\"\"x\"\")\","), "formula neutralised: "
                + rows.get(rows.size() - 1));
    }

    @Test
    void badBundlesAndBadDataAreNamed() throws Exception {
        Path bundle = dir.resolve("for-errors");
        try (var out = Files.newOutputStream(dir.resolve("for-errors.zip"))) {
            Path tmp = dir.resolve("for-errors-src");
            project.exportModel(tmp);
            ModelBundle.zip(tmp, out);
        }
        try (var in = Files.newInputStream(dir.resolve("for-errors.zip"))) {
            ModelBundle.unzip(in, bundle);
        }
        Path data = Files.write(dir.resolve("two.jsonl"), List.of("{\"id\":\"a\",\"text\":\"hello\"}",
                "{\"id\":\"b\",\"text\":\"\"}"));
        Path out = dir.resolve("never.jsonl");

        Cli foreign = Cli.run("predict", "--model", dir.resolve("ws").toString(), "--data", data.toString(), "--out",
                out.toString());
        assertEquals(1, foreign.code());
        assertTrue(foreign.err().contains("is not a Quarry model bundle: bundle.json is missing"), foreign.err());

        Cli badLine = Cli.run("predict", "--model", bundle.toString(), "--data", data.toString(), "--out",
                out.toString());
        assertEquals(1, badLine.code());
        assertTrue(badLine.err().contains("two.jsonl:2: field 'text': missing or empty"), badLine.err());
        assertFalse(Files.exists(out), "nothing is written for a bad file");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".never.jsonl")), "no temporary left");
        }

        Path weights = bundle.resolve("head/weights.params");
        byte[] saved = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(saved, saved.length - 1));
        QuarryException damaged = assertThrows(QuarryException.class, () -> BundlePredictor.open(bundle, 32, 1));
        assertTrue(damaged.getMessage().contains(weights + " is damaged"), damaged.getMessage());
        Files.write(weights, saved);

        Path tokenizer = bundle.resolve("encoder/all-minilm-l6-v2/tokenizer.json");
        Files.move(tokenizer, dir.resolve("tokenizer.aside"));
        Cli missing = Cli.run("predict", "--model", bundle.toString(), "--data", data.toString(), "--out",
                out.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains(tokenizer + " is missing (listed in "), missing.err());
        Files.move(dir.resolve("tokenizer.aside"), tokenizer);

        try (BundlePredictor predictor = BundlePredictor.open(bundle, 32, 1)) {
            List<BundlePrediction> p = predictor.predict(List.of("x"), List.of("how do I reset my pin"), 2,
                    quarry.core.Progress.NONE);
            assertEquals(1, p.size());
            assertNotNull(p.get(0).safeToAccept());
        }

        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry("../escape.txt"));
            z.write(1);
            z.closeEntry();
        }
        QuarryException escape = assertThrows(QuarryException.class, () -> ModelBundle.unzip(
                new java.io.ByteArrayInputStream(zip.toByteArray()), dir.resolve("escaped")));
        assertTrue(escape.getMessage().contains("'../escape.txt' is not a plain path inside the bundle"),
                escape.getMessage());
        assertFalse(Files.exists(dir.resolve("escape.txt")) || Files.exists(dir.resolve("escaped")));
    }
}
