package quarry.project;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import quarry.core.DomainException;

/**
 * A project's label schema (names ↔ class indexes) and its current labels by pool row. This is
 * the only in-memory copy of the labels: the store is the durable one, and every change is
 * committed there before it is recorded here.
 */
public final class LabelBook {

    private final String project;
    private final List<String> names;
    private final boolean multiLabel;
    private final Map<String, Integer> indexes = new HashMap<>();
    private final Map<Integer, List<String>> current = new ConcurrentHashMap<>();

    public LabelBook(String project, List<String> names, boolean multiLabel, Map<Integer, List<String>> stored) {
        this.project = project;
        this.names = List.copyOf(names);
        this.multiLabel = multiLabel;
        for (String name : names) {
            indexes.put(name, indexes.size());
        }
        current.putAll(stored);
    }

    public List<String> names() {
        return names;
    }

    public boolean multiLabel() {
        return multiLabel;
    }

    public String name(int index) {
        return names.get(index);
    }

    /** Class indexes of label names already checked by {@link #check}. */
    public int[] indexes(List<String> labels) {
        return labels.stream().mapToInt(indexes::get).toArray();
    }

    /**
     * The labels an annotator chose, de-duplicated in order and checked against the schema. In a
     * multi-label project an empty list is an answer: "none of these labels".
     *
     * @throws DomainException.InvalidInput naming the offending label, or the field {@code labels}
     */
    public List<String> check(List<String> chosen) {
        List<String> clean = List.copyOf(new LinkedHashSet<>(chosen));
        if (!multiLabel && clean.size() != 1) {
            throw new DomainException.InvalidInput("bad_request", "field 'labels': project '" + project
                    + "' is single-label: send exactly one label, got " + clean
                    + (clean.isEmpty() ? " (send \"skip\": true to skip a document)" : ""), Map.of("field", "labels"));
        }
        for (String l : clean) {
            if (!indexes.containsKey(l)) {
                throw new DomainException.InvalidInput("unknown_label", "label '" + l + "' is not in the schema of"
                        + " project '" + project + "'", Map.of("label", l, "allowed", names));
            }
        }
        return clean;
    }

    /**
     * Records labels the store has just committed (an empty list: labeled "none of these"), or
     * forgets the row's labels when {@code labels} is empty (the row is unlabeled again).
     */
    public void committed(int row, Optional<List<String>> labels) {
        if (labels.isPresent()) {
            current.put(row, labels.get());
        } else {
            current.remove(row);
        }
    }

    public void committedAll(Map<Integer, List<String>> stored) {
        current.putAll(stored);
    }

    public boolean isLabeled(int row) {
        return current.containsKey(row);
    }

    public List<String> labels(int row) {
        return current.getOrDefault(row, List.of());
    }

    /** The labeled rows, in no particular order (cheaper than a {@link #snapshot} for lookups). */
    public int[] labeledRows() {
        return current.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    public int count() {
        return current.size();
    }

    /** A consistent copy of the current labels, in row order. */
    public Map<Integer, List<String>> snapshot() {
        return new TreeMap<>(current);
    }

    /** SHA-256 over the (row, labels) pairs of a snapshot, for provenance. */
    public static String hash(Map<Integer, List<String>> snapshot) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<Integer, List<String>> e : new TreeMap<>(snapshot).entrySet()) {
                digest.update((e.getKey() + "\t" + String.join("\u001f", e.getValue()) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
