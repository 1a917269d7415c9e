package quarry.index;

/**
 * The dot product every vector comparison of the index comes down to (HNSW building, searches,
 * densities, scans). Java 17's JIT cannot vectorise a float sum on its own (it must keep the
 * additions in order), and Lucene 9 uses SIMD only on Java 20+, so on Java 17 the comparisons ran
 * one multiply at a time and took three quarters of an index build. With the JDK's incubating
 * vector API present ({@code --add-modules jdk.incubator.vector}, which {@code ./quarry} passes),
 * {@link SimdDot} does them in SIMD lanes; without it a plain loop does.
 */
public final class VectorMath {

    /** One dot product implementation, chosen once. */
    interface Dot {
        float dot(float[] a, float[] b);
    }

    private static final Dot IMPL = choose();

    /**
     * Lucene's own vector code warns on every start that Java 17 is too old for its SIMD when the
     * vector module is present; here that is expected (this class does the SIMD), so its warning is
     * muted. Held in a field: java.util.logging keeps loggers only weakly.
     */
    private static final java.util.logging.Logger LUCENE_VECTORIZATION = quietLucene();

    private VectorMath() {
    }

    /** The dot product of two vectors of the same length. */
    public static float dot(float[] a, float[] b) {
        return IMPL.dot(a, b);
    }

    /** Which implementation runs: "SIMD (N floats a lane)" or "scalar"; for benchmarks and logs. */
    public static String implementation() {
        return IMPL instanceof Scalar ? "scalar (start Java with --add-modules jdk.incubator.vector for SIMD)"
                : IMPL.toString();
    }

    /** Called before Lucene's vector classes load (see {@link #LUCENE_VECTORIZATION}). */
    static void init() {
        // Loading this class ran the static fields above; nothing more to do.
    }

    private static java.util.logging.Logger quietLucene() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(
                "org.apache.lucene.internal.vectorization.VectorizationProvider");
        if (!(IMPL instanceof Scalar)) {
            logger.setLevel(java.util.logging.Level.SEVERE);
        }
        return logger;
    }

    private static Dot choose() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                // By name: the class links against the incubating module, which may be absent.
                return (Dot) Class.forName("quarry.index.SimdDot").getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                System.getLogger(VectorMath.class.getName()).log(System.Logger.Level.WARNING,
                        "SIMD dot products unavailable, using the scalar loop: " + e);
            }
        }
        return new Scalar();
    }

    /** Four running sums give the CPU independent additions to overlap. */
    static final class Scalar implements Dot {
        @Override
        public float dot(float[] a, float[] b) {
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            int i = 0;
            int upper = a.length & ~3;
            for (; i < upper; i += 4) {
                s0 += a[i] * b[i];
                s1 += a[i + 1] * b[i + 1];
                s2 += a[i + 2] * b[i + 2];
                s3 += a[i + 3] * b[i + 3];
            }
            for (; i < a.length; i++) {
                s0 += a[i] * b[i];
            }
            return (s0 + s1) + (s2 + s3);
        }
    }
}
