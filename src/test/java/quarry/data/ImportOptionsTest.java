package quarry.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ImportOptionsTest {

    @Test
    void defaults() {
        ImportOptions o = ImportOptions.defaults();

        assertEquals("text", o.textField());
        assertEquals("id", o.idField());
        assertEquals("label", o.labelField());
        assertEquals("labels", o.labelsField());
        assertEquals("|", o.labelDelimiter());
        assertNull(o.labelSchema());
        assertFalse(o.skipBadRows());
        assertFalse(o.singleLabel(), "any number of labels, none included");
        assertEquals(ImportFormat.AUTO, o.format());
    }

    @Test
    void withersChangeOneThing() {
        ImportOptions o = ImportOptions.defaults().withTextField("body").withSkipBadRows(true).withSingleLabel(true);

        assertEquals("body", o.textField());
        assertTrue(o.skipBadRows());
        assertTrue(o.singleLabel());
        assertFalse(o.withSingleLabel(false).singleLabel());
        assertEquals("id", o.idField());
        assertEquals("text", ImportOptions.defaults().textField());
    }

    @Test
    void labelSchemaIsCopied() {
        List<String> labels = new ArrayList<>(List.of("a", "b"));
        ImportOptions o = ImportOptions.defaults().withLabelSchema(labels);
        labels.add("c");

        assertEquals(Set.of("a", "b"), o.labelSchema());
        assertThrows(UnsupportedOperationException.class, () -> o.labelSchema().add("d"));
        assertNull(o.withLabelSchema(null).labelSchema());
    }

    @Test
    void rejectsBlankNamesAndEmptyDelimiter() {
        assertThrows(IllegalArgumentException.class, () -> ImportOptions.defaults().withTextField(" "));
        assertThrows(IllegalArgumentException.class, () -> ImportOptions.defaults().withLabelDelimiter(""));
        assertThrows(NullPointerException.class, () -> ImportOptions.defaults().withFormat(null));
    }
}
