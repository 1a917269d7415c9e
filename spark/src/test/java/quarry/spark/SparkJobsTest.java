package quarry.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.bundle.BundlePrediction;
import quarry.bundle.BundlePredictor;
import quarry.core.Document;
import quarry.core.McStats;
import quarry.core.Progress;
import quarry.core.QuarryException;
import quarry.core.Vectors;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.project.Json;
import quarry.query.QueryContext;
import quarry.query.Strategies;

/**
 * The Spark jobs in local mode ({@code local[2]}) on a slice of CLINC150 with the real MiniLM
 * encoder, checked against the single-process predictor on the same documents: the predictions
 * from JSONL, CSV and Parquet input, and the pool scoring's picks.
 */
@Tag("integration")
@Tag("data")
class SparkJobsTest {

    static final int DOCS = 300;

    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path bundle;
    static List<Document> docs;
    static Path jsonl;
    static Map<String, BundlePrediction> single = new HashMap<>();
    static float[][] vectors;

    @BeforeAll
    static void setUp() throws Exception {
        Path data = Path.of(System.getProperty("quarry.sharedData", "../../shared/data")).resolve("clinc150");
        List<Document> train = DocumentImporter.read(data.resolve("train.jsonl"), ImportOptions.defaults()).documents();
        bundle = dir.resolve("bundle");
        QuickBundle.write(bundle, train.subList(0, 1500), "all-minilm-l6-v2", 0.5);
        docs = DocumentImporter.read(data.resolve("test.jsonl"), ImportOptions.defaults()).documents().subList(0, DOCS);
        List<String> lines = new ArrayList<>();
        for (Document d : docs) {
            lines.add(Json.write(Map.of("id", d.id(), "text", d.text())));
        }
        jsonl = Files.write(dir.resolve("docs.jsonl"), lines);
        try (BundlePredictor p = BundlePredictor.open(bundle, 32, 1)) {
            List<String> texts = docs.stream().map(Document::text).toList();
            for (BundlePrediction b : p.predict(docs.stream().map(Document::id).toList(), texts, 3, Progress.NONE)) {
                single.put(b.id(), b);
            }
            vectors = p.embed(texts, Progress.NONE);
        }
        spark = SparkSession.builder().master("local[2]").appName("quarry test").config("spark.ui.enabled", false)
                .config("spark.sql.shuffle.partitions", 3).config("spark.sql.warehouse.dir", dir.resolve("warehouse").toString())
                .getOrCreate();
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static void assertSameAsSingleProcess(List<Row> rows) {
        assertEquals(DOCS, rows.size());
        Set<String> seen = new HashSet<>();
        for (Row r : rows) {
            String id = r.getAs("id");
            assertTrue(seen.add(id), "one row per document: " + id);
            BundlePrediction s = single.get(id);
            assertEquals(s.labels(), r.getList(r.fieldIndex("labels")), "labels of " + id);
            List<Row> top = r.getList(r.fieldIndex("top"));
            assertEquals(3, top.size());
            for (int k = 0; k < 3; k++) {
                assertEquals(s.top().get(k).label(), top.get(k).getString(0), "top " + k + " of " + id);
                assertEquals(s.top().get(k).probability(), ((Number) top.get(k).get(1)).doubleValue(), 1e-4);
            }
            assertEquals(s.margin(), r.<Double>getAs("margin"), 1e-4);
            assertEquals(s.entropy(), r.<Double>getAs("entropy"), 1e-4);
            assertEquals(s.safeToAccept(), r.<Boolean>getAs("safeToAccept"), "safe to accept, " + id);
        }
    }

    private static int run(String... args) {
        return SparkMain.run(args);
    }

    @Test
    void predictGivesWhatTheSingleProcessPredictorGivesFromJsonlCsvAndParquet() throws Exception {
        Path out = dir.resolve("predicted.parquet");
        assertEquals(0, run("predict", "--model", bundle.toString(), "--data", jsonl.toString(), "--out", out.toString(),
                "--top-k", "3", "--partitions", "3"));
        assertSameAsSingleProcess(spark.read().parquet(out.toString()).collectAsList());

        // the same documents as CSV (quoted cells, commas in texts) and as Parquet
        Dataset<Row> asRead = Inputs.documents(spark, jsonl.toString(), "auto", "id", "text");
        Path csv = dir.resolve("docs.csv");
        asRead.coalesce(1).write().option("header", true).option("escape", "\"").csv(csv.toString());
        Path parquet = dir.resolve("docs.parquet");
        asRead.write().parquet(parquet.toString());
        for (Path in : List.of(csv, parquet)) {
            Path o = dir.resolve("from-" + in.getFileName() + ".jsonl");
            assertEquals(0, run("predict", "--model", bundle.toString(), "--data", in.toString(), "--out", o.toString(),
                    "--top-k", "3", "--format", in.toString().endsWith(".csv") ? "csv" : "parquet"));
            assertSameAsSingleProcess(spark.read().json(o.toString()).collectAsList());
        }
    }

    @Test
    void scoringPicksTheMostUncertainDocumentsKeptDiverse() throws Exception {
        Path out = dir.resolve("picks.jsonl");
        assertEquals(0, run("score", "--model", bundle.toString(), "--data", jsonl.toString(), "--out", out.toString(),
                "--strategy", "margin", "--k", "20", "--per-partition", "40", "--partitions", "3", "--diversity", "0.9"));
        List<Row> picks = spark.read().json(out.toString()).orderBy("rank").collectAsList();
        assertEquals(20, picks.size());

        // single process: the margin strategy over every document, diverse at the same tau
        try (BundlePredictor p = BundlePredictor.open(bundle, 32, 1)) {
            QueryContext ctx = QueryContext.of(Vectors.of(vectors), IntStream.range(0, DOCS).toArray())
                    .withHead(p.head()).withSeed(42);
            List<String> expected = Strategies.byName("margin", Strategies.Options.DEFAULTS.withDiversity(0.9))
                    .select(ctx, 20).stream().map(pick -> docs.get(pick.row()).id()).toList();
            List<String> got = picks.stream().map(r -> r.<String>getAs("id")).toList();
            assertEquals(expected.subList(0, 10), got.subList(0, 10), "the ten best in the same order");
            Set<String> both = new HashSet<>(expected);
            both.retainAll(got);
            assertTrue(both.size() >= 19, "the same picks but at most one near-tie: " + expected + " vs " + got);
            for (Row r : picks) {
                BundlePrediction s = single.get(r.<String>getAs("id"));
                assertEquals(1 - s.margin(), r.<Double>getAs("score"), 1e-4);
                assertEquals(String.join("|", s.labels()), r.getAs("predicted"));
                assertEquals("margin", r.getAs("strategy"));
            }
        }

        Path bald = dir.resolve("bald.parquet");
        assertEquals(0, run("score", "--model", bundle.toString(), "--data", jsonl.toString(), "--out", bald.toString(),
                "--strategy", "bald", "--k", "10", "--partitions", "2", "--mc-passes", "10", "--seed", "7"));
        List<Row> baldPicks = spark.read().parquet(bald.toString()).orderBy("rank").collectAsList();
        assertEquals(10, baldPicks.size());
        try (BundlePredictor p = BundlePredictor.open(bundle, 32, 1)) {
            McStats mc = p.head().mcDropout(Vectors.of(vectors), IntStream.range(0, DOCS).toArray(), 10, 7);
            Map<String, Integer> row = new HashMap<>();
            IntStream.range(0, DOCS).forEach(i -> row.put(docs.get(i).id(), i));
            double previous = Double.MAX_VALUE;
            for (Row r : baldPicks) {
                double score = r.getAs("score");
                // a document's BALD does not depend on the partition it was scored in
                assertEquals(mc.bald()[row.get(r.<String>getAs("id"))], score, 1e-4);
                assertTrue(score <= previous + 1e-9, "best first");
                previous = score;
            }
        }
    }

    @Test
    void badInputIsNamed() throws Exception {
        QuarryException column = assertThrows(QuarryException.class,
                () -> Inputs.documents(spark, jsonl.toString(), "auto", "id", "body"));
        assertTrue(column.getMessage().contains("no column 'body' (it has id, text)"), column.getMessage());

        Path empty = Files.write(dir.resolve("empty-text.jsonl"), List.of("{\"id\":\"a\",\"text\":\"hello\"}",
                "{\"id\":\"b\",\"text\":\"  \"}"));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int code;
        try {
            code = run("predict", "--model", bundle.toString(), "--data", empty.toString(), "--out",
                    dir.resolve("never.parquet").toString());
        } finally {
            System.setErr(saved);
        }
        assertEquals(1, code);
        assertTrue(err.toString(java.nio.charset.StandardCharsets.UTF_8)
                .contains("document 'b': field 'text' is missing or empty"), err.toString());

        QuarryException strategy = assertThrows(QuarryException.class, () -> new ScoreJob.Settings(bundle.toString(),
                "density-margin", 10, 20, 0.9, 1, 20, 32, 1));
        assertTrue(strategy.getMessage().contains("cannot score partitions apart"), strategy.getMessage());
        QuarryException foreign = assertThrows(QuarryException.class, () -> Predictors.of(dir.toString(), 32, 1));
        assertTrue(foreign.getMessage().contains("bundle.json is missing"), foreign.getMessage());
        assertFalse(Files.exists(dir.resolve("never.parquet").resolve("_SUCCESS")));
    }
}
