package quarry.encode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a tokenised text that is longer than the model's window into overlapping windows, each
 * wrapped in the same special tokens ({@code [CLS] … [SEP]}) as the whole text. Documents are
 * embedded as the mean of their windows, so no part of a long text is cut off.
 */
final class Windows {

    private Windows() {
    }

    /**
     * @param ids         token ids with special tokens added
     * @param specialMask 1 where {@code ids} holds a special token
     * @param maxTokens   longest window, specials included
     * @param overlap     content tokens repeated at the start of the next window
     */
    static List<long[]> split(long[] ids, long[] specialMask, int maxTokens, int overlap) {
        if (ids.length <= maxTokens) {
            return List.of(ids);
        }
        int lead = 0;
        while (lead < ids.length && specialMask[lead] == 1) {
            lead++;
        }
        int trail = 0;
        while (trail < ids.length - lead && specialMask[ids.length - 1 - trail] == 1) {
            trail++;
        }
        int room = maxTokens - lead - trail;
        if (room <= overlap) {
            throw new IllegalArgumentException("window of " + maxTokens + " tokens leaves " + room
                    + " for text, not more than the overlap of " + overlap);
        }
        int contentEnd = ids.length - trail;
        List<long[]> windows = new ArrayList<>();
        for (int start = lead; ; start += room - overlap) {
            int end = Math.min(start + room, contentEnd);
            long[] window = new long[lead + (end - start) + trail];
            System.arraycopy(ids, 0, window, 0, lead);
            System.arraycopy(ids, start, window, lead, end - start);
            System.arraycopy(ids, contentEnd, window, lead + end - start, trail);
            windows.add(window);
            if (end == contentEnd) {
                return windows;
            }
        }
    }

    /** Averages window vectors into a new vector, rescaled to unit length when {@code normalize}. */
    static float[] mean(List<float[]> vectors, boolean normalize) {
        if (vectors.size() == 1) {
            return vectors.get(0);
        }
        float[] sum = Arrays.copyOf(vectors.get(0), vectors.get(0).length);
        for (int v = 1; v < vectors.size(); v++) {
            float[] next = vectors.get(v);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += next[i];
            }
        }
        double scale = 1.0 / vectors.size();
        if (normalize) {
            double norm = 0;
            for (float x : sum) {
                norm += (double) x * x;
            }
            scale = norm == 0 ? 1 : 1 / Math.sqrt(norm);
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] = (float) (sum[i] * scale);
        }
        return sum;
    }
}
