package quarry.store;

import java.util.List;
import quarry.store.Records.ModelVersion;

/** Trained model versions of each project, with their round reports. */
public interface Models {

    /** Stores a model version, replacing one with the same number. */
    void add(long projectId, int version, int labelsUsed, String report);

    /** A project's model versions, oldest first. */
    List<ModelVersion> list(long projectId);
}
