package quarry.store;

import java.util.List;
import java.util.Optional;
import quarry.store.Records.Label;
import quarry.store.Records.Project;

/** Projects with their label schemas and settings. */
public interface Projects {

    /**
     * Creates a project and its label schema together; a name in use throws
     * {@link DuplicateException}.
     */
    Project create(String name, boolean multiLabel, String encoder, List<Label> labels, String settings);

    /** Every project with its labels, in order of creation. */
    List<Project> list();

    Optional<Project> find(String name);

    void updateSettings(long projectId, String settings);

    /** Points a project at another encoder (a fine-tuned one); its documents and labels stay. */
    void updateEncoder(long projectId, String encoder);

    /**
     * Deletes a project with its documents, annotations, models and jobs.
     *
     * @return whether the project existed
     */
    boolean delete(long projectId);
}
