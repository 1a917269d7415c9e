package quarry.data;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a pass over a file found, without the documents themselves.
 *
 * @param rows          data rows seen, good and bad
 * @param documents     rows that made a valid document
 * @param problems      problems found, in file order, at most {@link ImportException#MAX_PROBLEMS}
 * @param totalProblems how many problems were found in all
 * @param multiLabel    as in {@link ImportResult#multiLabel()}
 * @param labels        every label on a valid row, sorted
 */
public record ImportSummary(
        long rows,
        long documents,
        List<ImportProblem> problems,
        long totalProblems,
        boolean multiLabel,
        Set<String> labels) {

    public ImportSummary {
        problems = List.copyOf(problems);
        labels = Collections.unmodifiableSortedSet(new TreeSet<>(labels));
    }

    /** True when the file can be imported without skipping anything. */
    public boolean valid() {
        return totalProblems == 0;
    }
}
