package quarry.index;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;

/**
 * An {@link IndexSearcher} over one point-in-time view of the index that also knows which pool
 * row each Lucene document holds, and back. Lucene document ids change when segments merge, so
 * the maps are rebuilt for every reader the {@code SearcherManager} opens; they are immutable
 * afterwards and so safe to share between searching threads.
 */
final class PoolSearcher extends IndexSearcher {

    private final int[] docToRow;
    private final int[] rowToDoc;

    PoolSearcher(IndexReader reader) throws IOException {
        super(reader);
        // kNN searches score every time; caching their rewritten queries only costs memory.
        setQueryCache(null);
        docToRow = new int[reader.maxDoc()];
        Arrays.fill(docToRow, -1);
        int maxRow = -1;
        for (LeafReaderContext leaf : reader.leaves()) {
            NumericDocValues rows = leaf.reader().getNumericDocValues(HnswStore.ROW_FIELD);
            if (rows == null) {
                continue;
            }
            for (int doc = rows.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = rows.nextDoc()) {
                int row = (int) rows.longValue();
                docToRow[leaf.docBase + doc] = row;
                maxRow = Math.max(maxRow, row);
            }
        }
        rowToDoc = new int[maxRow + 1];
        Arrays.fill(rowToDoc, -1);
        for (int doc = 0; doc < docToRow.length; doc++) {
            if (docToRow[doc] >= 0) {
                rowToDoc[docToRow[doc]] = doc;
            }
        }
    }

    int numDocs() {
        return getIndexReader().numDocs();
    }

    /** One more than the largest row in this view: the length arrays indexed by row need. */
    int rowLimit() {
        return rowToDoc.length;
    }

    /** The pool row stored in global document {@code doc}. */
    int rowOf(int doc) {
        return docToRow[doc];
    }

    /** The global document holding {@code row}, or -1 when this view does not hold it. */
    int docOf(int row) {
        return row >= 0 && row < rowToDoc.length ? rowToDoc[row] : -1;
    }

    /** A copy of the vector stored in global document {@code doc}. */
    float[] vector(int doc) throws IOException {
        List<LeafReaderContext> leaves = getIndexReader().leaves();
        LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
        // A fresh iterator per call: they are forward-only and not thread-safe, and creating one
        // over the off-heap vectors only slices a file, which is cheap next to a graph search.
        FloatVectorValues values = leaf.reader().getFloatVectorValues(HnswStore.VECTOR_FIELD);
        int local = doc - leaf.docBase;
        if (values == null || values.advance(local) != local) {
            throw new IllegalStateException("document " + doc + " (row " + rowOf(doc) + ") has no vector");
        }
        return values.vectorValue().clone();
    }

    /** Receives one stored vector; the array is reused between calls. */
    interface VectorSink {
        void accept(int row, float[] vector);
    }

    /**
     * Calls {@code sink} with the vector of each given row this view holds, walking each segment
     * once in document order (one forward iterator per segment, not one per row).
     */
    void forEachVector(int[] rows, VectorSink sink) throws IOException {
        int[] docs = Arrays.stream(rows).map(this::docOf).filter(d -> d >= 0).sorted().toArray();
        List<LeafReaderContext> leaves = getIndexReader().leaves();
        int next = 0;
        for (LeafReaderContext leaf : leaves) {
            int end = leaf.docBase + leaf.reader().maxDoc();
            if (next >= docs.length || docs[next] >= end) {
                continue;
            }
            FloatVectorValues values = leaf.reader().getFloatVectorValues(HnswStore.VECTOR_FIELD);
            for (; next < docs.length && docs[next] < end; next++) {
                int local = docs[next] - leaf.docBase;
                if (values != null && (values.docID() == local || values.advance(local) == local)) {
                    sink.accept(rowOf(docs[next]), values.vectorValue());
                }
            }
        }
    }
}
