package quarry.project;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import quarry.eval.SafeToAccept;
import quarry.store.Records.MachineLabel;
import quarry.store.Records.MachineProposal;

/**
 * A project's machine labels in memory: the live ones by pool row, and every audit sample. The
 * store ({@code store.MachineLabels}) is the durable copy, and each change is committed there
 * before it is recorded here. A person's label always comes first: a machine label stands only on
 * a row the label book has no label for, so it never hides a human label, and a later human label
 * replaces it without anything being written over.
 */
final class MachineBook implements LeaseQueue.Reserved {

    /** Why the queue serves an audit item; it names neither the machine's label nor the model's guesses. */
    static final Views.PickReason AUDIT_REASON = new Views.PickReason("audit", Double.NaN, Double.NaN, Double.NaN,
            "a random sample of the labels the model set on its own, checked by a person: choose the label you"
                    + " see, without the model's suggestions");

    /** A live (unrevoked) machine label. */
    record Mark(long batch, List<String> labels, double confidence, boolean audit) {
    }

    /** A row drawn into a batch's audit sample, with what the machine said about it. */
    private record Sampled(long batch, int rank, int row, List<String> machine) {
    }

    private final LabelBook people;
    private final Map<Integer, Mark> live = new ConcurrentHashMap<>();
    /** Every audit sample, revoked batches' too (what they measured stays true), by batch and draw. */
    private volatile List<Sampled> sampled = List.of();

    MachineBook(LabelBook people, List<MachineLabel> stored) {
        this.people = people;
        List<Sampled> all = new ArrayList<>();
        for (MachineLabel m : stored) {
            if (m.revoked() == null) {
                live.put(m.row(), new Mark(m.batchId(), m.labels(), m.confidence(), m.auditRank() > 0));
            }
            if (m.auditRank() > 0) {
                all.add(new Sampled(m.batchId(), m.auditRank(), m.row(), m.labels()));
            }
        }
        all.sort(Comparator.comparingLong(Sampled::batch).thenComparingInt(Sampled::rank));
        sampled = List.copyOf(all);
    }

    /** Records a batch the store has just committed. */
    synchronized void accepted(long batch, List<MachineProposal> labels) {
        List<Sampled> drawn = new ArrayList<>(sampled);
        List<Sampled> mine = new ArrayList<>();
        for (MachineProposal p : labels) {
            live.put(p.row(), new Mark(batch, p.labels(), p.confidence(), p.auditRank() > 0));
            if (p.auditRank() > 0) {
                mine.add(new Sampled(batch, p.auditRank(), p.row(), p.labels()));
            }
        }
        mine.sort(Comparator.comparingInt(Sampled::rank));
        drawn.addAll(mine);
        sampled = List.copyOf(drawn);
    }

    /** Forgets the labels the store has just revoked: a batch's, or all ({@code batch} null). */
    synchronized void revoked(Long batch) {
        live.values().removeIf(m -> batch == null || m.batch() == batch);
    }

    /** The live machine label of a row, replaced by a person's or not; null when there is none. */
    Mark mark(int row) {
        return live.get(row);
    }

    /** The machine label that stands on the row: live, and no person has labeled the row. */
    Optional<Views.MachineLabel> standing(int row) {
        Mark m = live.get(row);
        return m == null || people.isLabeled(row) ? Optional.empty()
                : Optional.of(new Views.MachineLabel(m.batch(), m.labels(), m.confidence()));
    }

    /** Whether the row is in an audit sample and waits for a person. */
    boolean awaitingAudit(int row) {
        Mark m = live.get(row);
        return m != null && m.audit() && !people.isLabeled(row);
    }

    /** Machine-labelled rows stay out of the normal queue. */
    @Override
    public boolean held(int row) {
        return live.containsKey(row);
    }

    /** Audit samples waiting for a person, oldest batch first, each in the order drawn. */
    @Override
    public List<Integer> first() {
        List<Integer> out = new ArrayList<>();
        for (Sampled s : sampled) {
            Mark m = live.get(s.row());
            if (m != null && m.batch() == s.batch() && !people.isLabeled(s.row())) {
                out.add(s.row());
            }
        }
        return out;
    }

    /** The machine labels that stand, by row. */
    Map<Integer, List<String>> standing() {
        Map<Integer, List<String>> out = new TreeMap<>();
        live.forEach((row, m) -> {
            if (!people.isLabeled(row)) {
                out.put(row, m.labels());
            }
        });
        return out;
    }

    /** How many machine labels stand now. */
    int standingCount() {
        return (int) live.keySet().stream().filter(row -> !people.isLabeled(row)).count();
    }

    /** How many machine labels of a batch stand now. */
    int standing(long batch) {
        int n = 0;
        for (Map.Entry<Integer, Mark> e : live.entrySet()) {
            if (e.getValue().batch() == batch && !people.isLabeled(e.getKey())) {
                n++;
            }
        }
        return n;
    }

    /**
     * What the audits of one batch found, or of all ({@code batch} null). Agreement means the
     * person chose exactly the machine's labels; their label is the one that stands either way.
     */
    Views.Audit audit(Long batch) {
        int sample = 0;
        int awaiting = 0;
        int audited = 0;
        int agreed = 0;
        for (Sampled s : sampled) {
            if (batch != null && s.batch() != batch) {
                continue;
            }
            sample++;
            if (people.isLabeled(s.row())) {
                audited++;
                if (new HashSet<>(people.labels(s.row())).equals(new LinkedHashSet<>(s.machine()))) {
                    agreed++;
                }
            } else {
                Mark m = live.get(s.row());
                if (m != null && m.batch() == s.batch()) {
                    awaiting++;
                }
            }
        }
        if (audited == 0) {
            return new Views.Audit(sample, awaiting, 0, 0, null, null, null);
        }
        double[] interval = SafeToAccept.wilson95(agreed, audited);
        return new Views.Audit(sample, awaiting, audited, agreed, (double) agreed / audited, interval[0], interval[1]);
    }
}
