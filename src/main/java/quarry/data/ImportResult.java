package quarry.data;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import quarry.core.Document;

/**
 * A file read in full.
 *
 * @param documents  the documents, in file order
 * @param skipped    problems of the rows left out (only ever non-empty with
 *                   {@link ImportOptions#skipBadRows()}); a row can have several
 * @param multiLabel whether the data is multi-label: some row used the labels field, or carries
 *                   more than one label
 * @param labels     every label seen, sorted
 */
public record ImportResult(
        List<Document> documents, List<ImportProblem> skipped, boolean multiLabel, Set<String> labels) {

    public ImportResult {
        documents = List.copyOf(documents);
        skipped = List.copyOf(skipped);
        labels = Collections.unmodifiableSortedSet(new TreeSet<>(labels));
    }
}
