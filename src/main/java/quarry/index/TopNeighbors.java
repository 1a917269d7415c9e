package quarry.index;

import quarry.core.Neighbor;
import java.util.List;
import java.util.PriorityQueue;

/** Keeps the {@code n} best rows offered; ties go to the lower row so scans are deterministic. */
final class TopNeighbors {

    private final int n;
    private final PriorityQueue<Neighbor> heap;

    TopNeighbors(int n) {
        this.n = n;
        // Worst on top, so it is the one replaced.
        this.heap = new PriorityQueue<>(Math.min(n, 1024) + 1, (a, b) -> a.similarity() != b.similarity()
                ? Float.compare(a.similarity(), b.similarity())
                : Integer.compare(b.row(), a.row()));
    }

    void offer(int row, float similarity) {
        if (heap.size() < n) {
            heap.add(new Neighbor(row, similarity));
        } else {
            Neighbor worst = heap.peek();
            if (similarity > worst.similarity() || similarity == worst.similarity() && row < worst.row()) {
                heap.poll();
                heap.add(new Neighbor(row, similarity));
            }
        }
    }

    /** The rows kept, best first. */
    List<Neighbor> best() {
        Neighbor[] out = new Neighbor[heap.size()];
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = heap.poll();
        }
        return List.of(out);
    }
}
