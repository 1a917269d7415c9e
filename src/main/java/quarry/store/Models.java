package quarry.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import quarry.store.Records.ModelVersion;

/** Trained model versions of each project, with their round reports and, where servers share them, their files. */
public interface Models {

    /** Stores a model version, replacing one with the same number. */
    default void add(long projectId, int version, int labelsUsed, String report) {
        add(projectId, version, labelsUsed, report, Map.of());
    }

    /**
     * Stores a model version with its saved files (name to bytes) in one transaction, replacing
     * one with the same number: a server that reads the version finds its files.
     */
    void add(long projectId, int version, int labelsUsed, String report, Map<String, byte[]> files);

    /** A project's model versions, oldest first. */
    List<ModelVersion> list(long projectId);

    /** The highest version number of the project, 0 when it has none. */
    int latest(long projectId);

    Optional<ModelVersion> find(long projectId, int version);

    /** The files stored with a version (empty when none were). */
    Map<String, byte[]> files(long projectId, int version);
}
