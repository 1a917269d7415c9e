package quarry.index;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsWriter;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.search.TaskExecutor;

/**
 * Lucene 9.12's HNSW vectors format, files and all, with {@link DotProductScorer} as its scorer.
 * Lucene records the format's name per field and finds the reader by that name ({@code
 * META-INF/services}), so segments written by it are searched with the same scorer, and older
 * segments written as {@code Lucene99HnswVectorsFormat} still open and are rewritten by merges.
 */
public final class QuarryHnswFormat extends KnnVectorsFormat {

    /** The name Lucene's service loader finds this format by. */
    public static final String NAME = "QuarryHnsw";

    private final int maxConn;
    private final int beamWidth;
    private final int mergeThreads;
    private final TaskExecutor mergeExecutor;
    private final FlatVectorsFormat flat = new Lucene99FlatVectorsFormat(DotProductScorer.INSTANCE);

    /** For reading (Lucene's service loader): graph settings matter only when writing. */
    public QuarryHnswFormat() {
        this(Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN, Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH, 1, null);
    }

    QuarryHnswFormat(int maxConn, int beamWidth, int mergeThreads, ExecutorService mergeWorkers) {
        super(NAME);
        this.maxConn = maxConn;
        this.beamWidth = beamWidth;
        this.mergeThreads = mergeWorkers == null ? 1 : mergeThreads;
        this.mergeExecutor = mergeWorkers == null ? null : new TaskExecutor(mergeWorkers);
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        return new Lucene99HnswVectorsWriter(state, maxConn, beamWidth, flat.fieldsWriter(state), mergeThreads,
                mergeExecutor);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return new Lucene99HnswVectorsReader(state, flat.fieldsReader(state));
    }

    @Override
    public int getMaxDimensions(String fieldName) {
        return DEFAULT_MAX_DIMENSIONS;
    }

    @Override
    public String toString() {
        return NAME + "(maxConn=" + maxConn + ", beamWidth=" + beamWidth + ", scorer=" + DotProductScorer.INSTANCE + ")";
    }
}
