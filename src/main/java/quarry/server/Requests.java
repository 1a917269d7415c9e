package quarry.server;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import quarry.core.DomainException;
import quarry.project.Access;
import quarry.project.ProjectSettings;
import quarry.store.Records.Label;

/**
 * The JSON bodies the API accepts, as typed records. {@link Bodies} maps a request onto one
 * (unknown fields and wrong types are refused there, naming the field); each record's
 * {@code check} then refuses what JSON types alone cannot say.
 */
final class Requests {

    private Requests() {
    }

    static DomainException.InvalidInput invalid(String field, String message) {
        return new DomainException.InvalidInput("bad_request", "field '" + field + "': " + message,
                Map.of("field", field));
    }

    static String required(String field, String value) {
        if (value == null) {
            throw new DomainException.InvalidInput("bad_request", "field '" + field + "' is required",
                    Map.of("field", field));
        }
        return value;
    }

    /** @param projects the projects the token is a member of from the start (optional) */
    record CreateToken(String name, String role, List<String> projects) {
        Access.Role checkedRole() {
            required("name", name);
            required("role", role);
            if (!role.equals("admin") && !role.equals("reviewer") && !role.equals("annotator")) {
                throw new DomainException.InvalidInput("bad_request", "role must be 'admin', 'reviewer' or"
                        + " 'annotator', got '" + role + "'", Map.of("field", "role", "allowed",
                        List.of("admin", "reviewer", "annotator")));
            }
            return Access.Role.valueOf(role.toUpperCase());
        }
    }

    /** A label of a new schema: a plain name, or {@code {name, description}}. */
    record LabelSpec(String name, String description) {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static LabelSpec of(String name) {
            return new LabelSpec(name, null);
        }

        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        LabelSpec(@JsonProperty("name") String name, @JsonProperty("description") String description) {
            this.name = name;
            this.description = description;
        }
    }

    /** @param members tokens (annotators, reviewers) that see the project from the start; optional */
    record CreateProject(String name, Boolean multiLabel, String encoder, List<LabelSpec> labels,
            ProjectSettings settings, List<String> members) {
        List<Label> checkedLabels() {
            if (labels == null) {
                throw invalid("labels", "a list of label names (or {name, description}) is required");
            }
            List<Label> out = new ArrayList<>();
            for (LabelSpec l : labels) {
                if (l == null || l.name() == null) {
                    throw invalid("labels", "item " + (out.size() + 1) + " is neither a name nor {name, description}");
                }
                out.add(new Label(out.size(), l.name().strip(), l.description()));
            }
            return out;
        }

        boolean isMultiLabel() {
            return Boolean.TRUE.equals(multiLabel);
        }
    }

    /** @param secondsOnItem time the annotator spent on the item, as the client measured it (optional) */
    record Annotate(String document, List<String> labels, Boolean skip, String requestId, Double secondsOnItem) {
        /** The labels chosen, or null for a skip. */
        List<String> checkedLabels() {
            required("document", document);
            boolean skipping = Boolean.TRUE.equals(skip);
            if (skipping && labels != null) {
                throw new DomainException.InvalidInput("send either labels or \"skip\": true, not both");
            }
            if (skipping) {
                return null;
            }
            if (labels == null) {
                throw invalid("labels", "a list of label names is required (or \"skip\": true)");
            }
            if (labels.contains(null)) {
                throw invalid("labels", "every label must be a string");
            }
            return labels;
        }
    }

    /** New machine-label settings; fields left out keep their values. */
    record MachineSettings(Boolean trainOnMachineLabels, Double auditShare, Integer auditMin, Integer auditMax) {
        void check() {
            if (trainOnMachineLabels == null && auditShare == null && auditMin == null && auditMax == null) {
                throw new DomainException.InvalidInput("bad_request", "send at least one of trainOnMachineLabels,"
                        + " auditShare, auditMin, auditMax", Map.of());
            }
        }
    }

    /** A reviewer's decision on a suspect label: {@code keep}, or {@code change} to {@code label}; and why. */
    record Review(String decision, String label, String reason) {
    }

    /** A reviewer settles a disagreement: {@code label} (or {@code labels}, a list of one), and why. */
    record Settle(String label, List<String> labels, String reason) {
        List<String> checkedLabels() {
            if (label != null && labels != null) {
                throw new DomainException.InvalidInput("bad_request", "send either 'label' or 'labels', not both",
                        Map.of("field", "label"));
            }
            if (label == null && labels == null) {
                throw invalid("label", "the label that settles the disagreement is required");
            }
            if (labels != null && labels.contains(null)) {
                throw invalid("labels", "every label must be a string");
            }
            return label != null ? List.of(label) : labels;
        }
    }

    /** At most this many texts per {@code predict} request; more go to a batch job. */
    static final int MAX_PREDICT_TEXTS = 100;

    /** Documents to put at the head of the queue, by id, best first. */
    record QueueImport(List<String> ids, Boolean skipUnknown) {
        void check() {
            if (ids == null || ids.isEmpty() || ids.contains(null)) {
                throw invalid("ids", "a non-empty list of document ids is required");
            }
            if (ids.size() > 100_000) {
                throw new ApiError(413, "too_large", "at most 100000 ids per request, got " + ids.size(),
                        Map.of("limit", 100_000));
            }
        }
    }

    record Predict(List<String> texts, List<String> ids) {
        void check() {
            if (texts == null || texts.isEmpty()) {
                throw invalid("texts", "a non-empty list of strings is required");
            }
            if (texts.size() > MAX_PREDICT_TEXTS) {
                throw new ApiError(413, "too_large", "at most " + MAX_PREDICT_TEXTS + " texts per request, got "
                        + texts.size() + "; use POST /api/projects/{project}/predictions for a batch job",
                        Map.of("limit", MAX_PREDICT_TEXTS));
            }
            for (int i = 0; i < texts.size(); i++) {
                if (texts.get(i) == null || texts.get(i).isBlank()) {
                    throw new DomainException.InvalidInput("bad_request", "field 'texts': item " + (i + 1)
                            + " is not a non-empty string", Map.of("field", "texts", "index", i));
                }
            }
            if (ids != null && (ids.size() != texts.size() || ids.contains(null))) {
                throw invalid("ids", "a list of strings as long as 'texts' (" + texts.size() + ")");
            }
        }

        List<String> idsOrPositions() {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                out.add(ids != null ? ids.get(i) : Integer.toString(i));
            }
            return out;
        }
    }
}
