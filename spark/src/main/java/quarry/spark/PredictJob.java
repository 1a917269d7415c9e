package quarry.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import quarry.bundle.BundlePrediction;
import quarry.bundle.BundlePredictor;
import quarry.core.QuarryException;

/**
 * Predicts documents ({@code id}, {@code text}) with a model bundle, partition by partition: the
 * same labels, top-k probabilities, margin, entropy and safe-to-accept flag as {@code quarry predict}.
 */
final class PredictJob {

    /** Texts per step, as the single-process predict takes them: the encoder sorts these by length. */
    static final int CHUNK = 8192;

    static final StructType RANKED = new StructType().add("label", DataTypes.StringType, false)
            .add("probability", DataTypes.FloatType, false);
    static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("labels", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("top", DataTypes.createArrayType(RANKED, false), false)
            .add("confidence", DataTypes.FloatType, false)
            .add("margin", DataTypes.DoubleType, false)
            .add("entropy", DataTypes.DoubleType, false)
            .add("safeToAccept", DataTypes.BooleanType, true);

    /** What each task needs to open (or find) its JVM's predictor. */
    record Settings(String bundle, int topK, int batch, int pool) implements java.io.Serializable {
    }

    private PredictJob() {
    }

    static Dataset<Row> predict(Dataset<Row> documents, Settings settings) {
        if (settings.topK() < 1) {
            throw new QuarryException("--top-k must be at least 1, got " + settings.topK());
        }
        return documents.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> predict(rows, settings),
                Encoders.row(SCHEMA));
    }

    private static Iterator<Row> predict(Iterator<Row> rows, Settings s) {
        BundlePredictor predictor = Predictors.of(s.bundle(), s.batch(), s.pool());
        return new Chunks<>(rows, CHUNK, chunk -> {
            List<String> ids = new ArrayList<>(chunk.size());
            List<String> texts = new ArrayList<>(chunk.size());
            readInto(chunk, ids, texts);
            List<Row> out = new ArrayList<>(chunk.size());
            for (BundlePrediction p : predictor.predict(ids, texts, s.topK(), quarry.core.Progress.NONE)) {
                out.add(row(p));
            }
            return out;
        });
    }

    /** The ids and texts of a chunk; a row without an id or text fails the job, naming it. */
    static void readInto(List<Row> chunk, List<String> ids, List<String> texts) {
        for (Row r : chunk) {
            String id = r.getString(0);
            String text = r.getString(1);
            if (id == null || id.isBlank()) {
                throw new QuarryException("a document has no id (its text begins '" + begin(text) + "')");
            }
            if (text == null || text.isBlank()) {
                throw new QuarryException("document '" + id + "': field 'text' is missing or empty");
            }
            ids.add(id);
            texts.add(text);
        }
    }

    private static String begin(String text) {
        return text == null ? "" : text.substring(0, Math.min(40, text.length()));
    }

    static Row row(BundlePrediction p) {
        Row[] top = new Row[p.top().size()];
        for (int i = 0; i < top.length; i++) {
            top[i] = RowFactory.create(p.top().get(i).label(), p.top().get(i).probability());
        }
        return RowFactory.create(p.id(), p.labels().toArray(String[]::new), top, p.confidence(), p.margin(),
                p.entropy(), p.safeToAccept());
    }
}
