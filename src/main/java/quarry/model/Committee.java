package quarry.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import quarry.core.CommitteeStats;
import quarry.core.Disagreement;
import quarry.core.Vectors;

/**
 * Query by committee: K heads, each trained on all the labeled rows with its own seed (initial
 * weights, shuffling, dropout), scored together. Disagreement is measured by vote entropy and by
 * the mean KL divergence of each member from the consensus. Closing the committee closes its members.
 *
 * <p>No bootstrap resamples: with a few labels per class a resample misses whole classes and single
 * examples, and the members that drew an example are sure of it while the others are not. That
 * disagreement sits on copies of the labeled documents, which the loop's head already predicts
 * right; KL ranked them first (CLINC150, 150 labels: 99% of its top picks were predicted right, and
 * labeling them gained nothing). docs/STRATEGIES_QBC.md has the figures.
 */
public final class Committee implements Disagreement, AutoCloseable {

    /** Committees beyond this are a training-time mistake, not a useful setting. */
    public static final int MAX_MEMBERS = 100;

    /** Floor for consensus probabilities under a logarithm (a member at p = 0 contributes 0 anyway). */
    private static final float TINY = 1e-30f;
    /** Keeps 1 − q above zero for multi-label KL when a consensus rounds to 1. */
    private static final float ALMOST_ONE = 1 - 1e-7f;

    private final List<Head> members;

    private Committee(List<Head> members) {
        this.members = List.copyOf(members);
    }

    /** Trains {@code members} heads on all of {@code rows}; member k trains with seed config.seed + k. */
    public static Committee train(Vectors x, int[] rows, Targets y, HeadConfig config, int members,
                                  String encoderId) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(y, "y");
        if (members < 2 || members > MAX_MEMBERS) {
            throw new IllegalArgumentException("a committee needs 2 to " + MAX_MEMBERS + " members, got " + members);
        }
        if (rows == null || rows.length != y.size()) {
            throw new IllegalArgumentException((rows == null ? "null" : rows.length) + " rows but " + y.size()
                    + " labeled examples");
        }
        List<Head> heads = new ArrayList<>(members);
        try {
            for (int k = 0; k < members; k++) {
                heads.add(Head.train(x, rows, y, config.withSeed(config.seed() + k), null, encoderId));
            }
        } catch (RuntimeException | Error e) {
            heads.forEach(Head::close);
            throw e;
        }
        return new Committee(heads);
    }

    /**
     * A committee of existing heads (it takes ownership: closing it closes them). They must agree on
     * labels, label mode, encoder and dimension.
     */
    public static Committee of(List<Head> heads) {
        if (heads == null || heads.size() < 2 || heads.size() > MAX_MEMBERS) {
            throw new IllegalArgumentException("a committee needs 2 to " + MAX_MEMBERS + " members, got "
                    + (heads == null ? 0 : heads.size()));
        }
        Head first = heads.get(0);
        for (int k = 1; k < heads.size(); k++) {
            Head h = heads.get(k);
            if (!h.labels().equals(first.labels()) || h.multiLabel() != first.multiLabel()
                    || !h.encoderId().equals(first.encoderId()) || h.dimension() != first.dimension()) {
                throw new IllegalArgumentException("member " + k + " differs from member 0 in labels, label mode,"
                        + " encoder or dimension");
            }
        }
        return new Committee(heads);
    }

    public List<Head> members() {
        return members;
    }

    public List<String> labels() {
        return members.get(0).labels();
    }

    public boolean multiLabel() {
        return members.get(0).multiLabel();
    }

    /** Consensus, vote entropy and mean KL(member ‖ consensus) per row, computed chunk by chunk. */
    @Override
    public CommitteeStats stats(Vectors x, int[] rows) {
        Objects.requireNonNull(x, "x");
        RowReader.checkRows(x, rows);
        Head first = members.get(0);
        if (x.dimension() != first.dimension() && x.size() > 0) {
            throw new IllegalArgumentException("vectors have dimension " + x.dimension() + ", the committee expects "
                    + first.dimension());
        }
        int n = rows.length;
        int classes = first.labels().size();
        boolean multiLabel = first.multiLabel();
        float[][] consensus = new float[n][];
        float[] voteEntropy = new float[n];
        float[] meanKl = new float[n];
        int chunkRows = Math.max(16, Math.min(Scoring.CHUNK_ROWS, Scoring.MC_CHUNK_ELEMENTS / (members.size()
                * classes)));
        RowReader reader = new RowReader(x, Math.min(chunkRows, Math.max(1, n)));
        for (int from = 0; from < n; from += chunkRows) {
            int to = Math.min(n, from + chunkRows);
            try (NDManager sub = first.model().getNDManager().newSubManager()) {
                NDArray chunk = reader.read(sub, rows, from, to);
                NDList logits = new NDList(members.size());
                NDList cuts = new NDList(members.size());
                for (Head member : members) {
                    member.checkOpen();
                    logits.add(member.net().logits(member.net().features(chunk)));
                    if (multiLabel) {
                        cuts.add(sub.create(member.thresholdsInternal()));
                    }
                }
                NDArray stacked = NDArrays.stack(logits); // (K, rows, C)
                NDArray[] stats = multiLabel ? bernoulli(stacked, NDArrays.stack(cuts).expandDims(1))
                        : softmax(stacked, classes);
                Scoring.split(stats[0].toFloatArray(), classes, consensus, from);
                float[] votes = stats[1].toFloatArray();
                float[] kl = stats[2].toFloatArray();
                System.arraycopy(votes, 0, voteEntropy, from, votes.length);
                System.arraycopy(kl, 0, meanKl, from, kl.length);
            }
        }
        return new CommitteeStats(consensus, voteEntropy, meanKl);
    }

    private static NDArray[] softmax(NDArray logits, int classes) {
        NDArray logProbs = logits.logSoftmax(2);
        NDArray probs = logProbs.exp();
        NDArray consensus = probs.mean(new int[] {0});
        NDArray logConsensus = consensus.maximum(TINY).log();
        NDArray kl = probs.mul(logProbs.sub(logConsensus)).sum(new int[] {2}).mean(new int[] {0}).maximum(0f);
        NDArray share = logits.argMax(2).oneHot(classes).mean(new int[] {0}); // (rows, C) vote shares
        // + 0 turns the −0 of a unanimous vote into 0
        NDArray voteEntropy = share.xlogy(share).sum(new int[] {1}).neg().add(0f);
        return new NDArray[] {consensus, voteEntropy, kl};
    }

    private static NDArray[] bernoulli(NDArray logits, NDArray thresholds) {
        NDArray probs = Activation.sigmoid(logits).minimum(ALMOST_ONE);
        NDArray consensus = probs.mean(new int[] {0});
        NDArray q = consensus.maximum(TINY);
        NDArray notQ = q.neg().add(1f);
        NDArray notP = probs.neg().add(1f);
        // KL(p‖q) per label = p log p − p log q + (1−p) log(1−p) − (1−p) log(1−q); xlogy keeps 0·log 0 = 0
        NDArray kl = probs.xlogy(probs).sub(probs.xlogy(q)).add(notP.xlogy(notP)).sub(notP.xlogy(notQ))
                .sum(new int[] {2}).mean(new int[] {0}).maximum(0f);
        NDArray share = probs.gte(thresholds).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                .mean(new int[] {0});
        NDArray rest = share.neg().add(1f);
        NDArray voteEntropy = share.xlogy(share).add(rest.xlogy(rest)).sum(new int[] {1}).neg().add(0f);
        return new NDArray[] {consensus, voteEntropy, kl};
    }

    @Override
    public void close() {
        members.forEach(Head::close);
    }
}
