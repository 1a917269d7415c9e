package quarry.project;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import quarry.store.Leases;

/**
 * Leases kept in this process, for a workspace that one server owns (SQLite): nothing else can
 * lease its rows, so no database round trip is needed. The label book, the skip memory in
 * {@link LeaseQueue} and its {@link Overlaps} keep labeled and skipped rows out, as the database's
 * claim does; a row marked labeled simply loses its lease. One instance per project: the project
 * id is not looked at.
 */
final class MemoryLeases implements Leases {

    private final Map<Integer, Lease> leases = new HashMap<>();

    @Override
    public synchronized List<Lease> live(long projectId, long now) {
        leases.values().removeIf(l -> l.expiresAtMillis() <= now);
        return new ArrayList<>(leases.values());
    }

    @Override
    public synchronized List<Integer> claim(long projectId, String annotator, List<Integer> rows, long now,
            long expiresAt, long order, Overlap overlap) {
        List<Integer> leased = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            int row = rows.get(i);
            Lease old = leases.get(row);
            boolean mine = old != null && old.annotator().equals(annotator) && old.expiresAtMillis() > now;
            if (old == null || old.expiresAtMillis() <= now || mine) {
                leases.put(row, new Lease(row, annotator, expiresAt, mine ? old.order() : order + i));
                leased.add(row);
            }
        }
        return leased;
    }

    @Override
    public synchronized Optional<Lease> take(long projectId, String annotator, int row, long now, long expiresAt,
            long order) {
        Lease old = leases.get(row);
        if (old != null && !old.annotator().equals(annotator) && old.expiresAtMillis() > now) {
            return Optional.of(old);
        }
        leases.put(row, new Lease(row, annotator, expiresAt, old != null && old.annotator().equals(annotator)
                ? old.order() : order));
        return Optional.empty();
    }

    @Override
    public synchronized void labeled(long projectId, int row) {
        leases.remove(row);
    }

    /** The queue's overlap memory decides who may have the row next; here the lease simply ends. */
    @Override
    public synchronized void overlapLabeled(long projectId, int row, int annotators) {
        leases.remove(row);
    }

    @Override
    public synchronized boolean release(long projectId, String annotator, int row) {
        Lease l = leases.get(row);
        if (l != null && l.annotator().equals(annotator)) {
            leases.remove(row);
            return true;
        }
        return false;
    }

    @Override
    public synchronized void leaseFirst(long projectId, String annotator, int row, long expiresAt, long order) {
        leases.put(row, new Lease(row, annotator, expiresAt, order));
    }

    @Override
    public synchronized Optional<Lease> find(long projectId, int row) {
        return Optional.ofNullable(leases.get(row));
    }
}
