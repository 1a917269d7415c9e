package quarry.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import quarry.bundle.BundlePredictor;

/**
 * One {@link BundlePredictor} per bundle per JVM: an executor opens the encoder once, whatever
 * number of tasks and partitions it runs, and its tasks share it (the predictor is thread-safe).
 * It lives as long as the executor; the JVM's exit frees it.
 */
final class Predictors {

    private static final Map<String, BundlePredictor> OPEN = new ConcurrentHashMap<>();

    private Predictors() {
    }

    static BundlePredictor of(String bundle, int batch, int pool) {
        return OPEN.computeIfAbsent(bundle + "|" + batch + "|" + pool, k -> BundlePredictor.open(locate(bundle), batch,
                pool));
    }

    /**
     * The bundle folder on this machine: the path as given, or, for a relative one that is not
     * there, where Spark put the archive of that name ({@code spark-submit --archives model.zip#model}).
     */
    static Path locate(String bundle) {
        Path path = Path.of(bundle);
        if (!Files.exists(path) && !path.isAbsolute() && SparkEnv.get() != null) {
            Path shipped = Path.of(SparkFiles.get(bundle));
            if (Files.exists(shipped)) {
                return shipped;
            }
        }
        return path;
    }
}
