package quarry.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import quarry.bundle.BundlePredictor;
import quarry.core.Pick;
import quarry.core.QuarryException;
import quarry.core.Vectors;
import quarry.query.QueryContext;
import quarry.query.QueryStrategy;
import quarry.query.Strategies;

/**
 * Scores a pool for selection: the {@code k} documents a strategy finds most informative. Each
 * partition keeps its own best {@code perPartition} (with their embeddings); the driver merges them
 * and thins the merged list for diversity (no two picks with cosine ≥ τ), as a project's queue does.
 *
 * <p>Only strategies whose score of a document depends on that document alone may run apart like
 * this: margin, entropy, least-confidence, and the MC-dropout ones (BALD, variation ratio), whose
 * dropout masks come from the seed, not from the rows scored beside it. Density-weighted, coverage
 * and committee strategies need the whole pool and are refused.
 */
final class ScoreJob {

    static final Set<String> STRATEGIES = Set.of("margin", "entropy", "least-confidence", "bald", "variation-ratio");

    static final StructType CANDIDATE = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, false)
            .add("score", DataTypes.DoubleType, false)
            .add("uncertainty", DataTypes.DoubleType, true)
            .add("predicted", DataTypes.StringType, false)
            .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    static final StructType PICK = new StructType()
            .add("rank", DataTypes.IntegerType, false)
            .add("id", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, false)
            .add("strategy", DataTypes.StringType, false)
            .add("score", DataTypes.DoubleType, false)
            .add("uncertainty", DataTypes.DoubleType, true)
            .add("predicted", DataTypes.StringType, false);

    /**
     * @param perPartition candidates each partition keeps (more than k, so that thinning has room)
     * @param tau          diversity: no two picks with cosine ≥ tau; NaN for none
     */
    record Settings(String bundle, String strategy, int k, int perPartition, double tau, long seed, int mcPasses,
            int batch, int pool) implements java.io.Serializable {

        Settings {
            if (!STRATEGIES.contains(strategy)) {
                throw new QuarryException("strategy '" + strategy + "' cannot score partitions apart; use one of "
                        + new java.util.TreeSet<>(STRATEGIES) + " (density, coverage and committee strategies need the"
                        + " whole pool)");
            }
            if (k < 1 || perPartition < k) {
                throw new QuarryException("--k must be at least 1 and --per-partition at least k, got k " + k
                        + " and per-partition " + perPartition);
            }
        }
    }

    private record Candidate(Row row, double score) {
    }

    private ScoreJob() {
    }

    /** Every partition's best candidates (not yet merged). */
    static Dataset<Row> candidates(Dataset<Row> documents, Settings s) {
        return documents.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> best(rows, s), Encoders.row(CANDIDATE));
    }

    /** The merged, thinned picks, best first, in one partition. */
    static Dataset<Row> select(SparkSession spark, Dataset<Row> documents, Settings s) {
        List<Row> merged = candidates(documents, s).collectAsList();
        float[][] vectors = new float[merged.size()][];
        float[] scores = new float[merged.size()];
        for (int i = 0; i < vectors.length; i++) {
            List<Float> v = merged.get(i).getList(5);
            vectors[i] = new float[v.size()];
            for (int d = 0; d < vectors[i].length; d++) {
                vectors[i][d] = v.get(d);
            }
            scores[i] = (float) merged.get(i).getDouble(2);
        }
        int[] order = Strategies.thin(vectors, scores, s.k(), s.tau(), s.seed());
        List<Row> picks = new ArrayList<>(order.length);
        for (int rank = 0; rank < order.length; rank++) {
            Row c = merged.get(order[rank]);
            picks.add(RowFactory.create(rank + 1, c.getString(0), c.getString(1), s.strategy(), c.getDouble(2),
                    c.isNullAt(3) ? null : c.getDouble(3), c.getString(4)));
        }
        return spark.createDataFrame(picks, PICK).coalesce(1);
    }

    private static Iterator<Row> best(Iterator<Row> rows, Settings s) {
        BundlePredictor predictor = Predictors.of(s.bundle(), s.batch(), s.pool());
        QueryStrategy strategy = Strategies.byName(s.strategy());
        // the partition's best so far, worst on top, so it is the one a better candidate replaces
        PriorityQueue<Candidate> kept = new PriorityQueue<>(Comparator.comparingDouble(Candidate::score));
        Iterator<Row> chunks = new Chunks<>(rows, PredictJob.CHUNK, chunk -> {
            List<String> ids = new ArrayList<>(chunk.size());
            List<String> texts = new ArrayList<>(chunk.size());
            PredictJob.readInto(chunk, ids, texts);
            float[][] vectors = predictor.embed(texts, quarry.core.Progress.NONE);
            QueryContext ctx = QueryContext.of(Vectors.of(vectors), IntStream.range(0, vectors.length).toArray())
                    .withHead(predictor.head()).withSeed(s.seed()).withMcPasses(s.mcPasses());
            List<Pick> picks = strategy.select(ctx, Math.min(s.perPartition(), vectors.length));
            int[] rowsPicked = picks.stream().mapToInt(Pick::row).toArray();
            List<String> predicted = predictor.predictVectors(ids, pick(vectors, rowsPicked), 1).stream()
                    .map(p -> String.join("|", p.labels())).toList();
            for (int i = 0; i < picks.size(); i++) {
                Pick p = picks.get(i);
                kept.add(new Candidate(RowFactory.create(ids.get(p.row()), texts.get(p.row()), p.score(),
                        Double.isNaN(p.uncertainty()) ? null : p.uncertainty(), predicted.get(i),
                        boxed(vectors[p.row()])), p.score()));
                if (kept.size() > s.perPartition()) {
                    kept.poll();
                }
            }
            return List.<Row>of();
        });
        chunks.hasNext(); // runs every chunk: the iterator yields nothing of its own
        return kept.stream().map(Candidate::row).iterator();
    }

    private static float[][] pick(float[][] vectors, int[] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = vectors[rows[i]];
        }
        return out;
    }

    private static Float[] boxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
