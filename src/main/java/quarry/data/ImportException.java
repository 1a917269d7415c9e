package quarry.data;

import java.util.List;

/**
 * A file could not be imported. Carries every problem found (up to {@link #MAX_PROBLEMS}; the rest
 * are only counted) so that a user can fix a file in one go rather than one error per attempt.
 */
public final class ImportException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Problems kept in full; a broken file can have one per row, so more are only counted. */
    public static final int MAX_PROBLEMS = 100;

    /** Problems spelled out in {@link #getMessage()}; the rest are in {@link #problems()}. */
    private static final int MESSAGE_PROBLEMS = 20;

    private final List<ImportProblem> problems;
    private final long totalProblems;

    public ImportException(ImportProblem problem) {
        this(List.of(problem), 1);
    }

    /**
     * @param problems      problems found, in file order; at least one
     * @param totalProblems how many were found in all, which may exceed {@code problems.size()}
     */
    public ImportException(List<ImportProblem> problems, long totalProblems) {
        super(message(problems, Math.max(totalProblems, problems.size())));
        this.problems = List.copyOf(problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS)));
        this.totalProblems = Math.max(totalProblems, problems.size());
    }

    /** The problems kept, in file order: at most {@link #MAX_PROBLEMS}. */
    public List<ImportProblem> problems() {
        return problems;
    }

    /** How many problems were found in all, including those not kept. */
    public long totalProblems() {
        return totalProblems;
    }

    private static String message(List<ImportProblem> problems, long total) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an ImportException needs at least one problem");
        }
        StringBuilder s = new StringBuilder(problems.get(0).toString());
        if (total > 1) {
            s.append(" (").append(total).append(" problems in all)");
        }
        int shown = Math.min(problems.size(), MESSAGE_PROBLEMS);
        for (int i = 1; i < shown; i++) {
            s.append('\n').append(problems.get(i));
        }
        if (total > shown && total > 1) {
            s.append("\n... and ").append(total - shown).append(" more");
        }
        return s.toString();
    }
}
