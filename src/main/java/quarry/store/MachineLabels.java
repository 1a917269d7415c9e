package quarry.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import quarry.store.Records.MachineBatch;
import quarry.store.Records.MachineBatchSpec;
import quarry.store.Records.MachineLabel;
import quarry.store.Records.MachineProposal;

/**
 * Machine labels: the model's own predictions, accepted in batches. They are kept apart from the
 * annotation log, which holds only what people said; a revoked machine label stays here, marked,
 * so the record of what was accepted and taken back is never lost.
 */
public interface MachineLabels {

    /**
     * Stores a batch and all its labels in one transaction: every label, or none. A row that holds
     * a live machine label already throws {@link DuplicateException} and stores nothing.
     */
    MachineBatch accept(long projectId, MachineBatchSpec spec, List<MachineProposal> labels);

    /** A project's batches, oldest first. */
    List<MachineBatch> batches(long projectId);

    Optional<MachineBatch> batch(long projectId, long batchId);

    /**
     * Revokes the live machine labels of a project, or of one of its batches, in one transaction.
     *
     * @param batchId the batch, or null for all of the project's
     * @return how many labels were revoked (0 when none was live)
     */
    int revoke(long projectId, Long batchId, String by);

    /** Streams a project's machine labels in order, the revoked ones too when asked; on a connection of its own. */
    void forEach(long projectId, boolean withRevoked, Consumer<MachineLabel> sink);
}
