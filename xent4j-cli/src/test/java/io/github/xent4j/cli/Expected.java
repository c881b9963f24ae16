package io.github.xent4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The PyTorch values recorded in the fixtures' expected.json. */
final class Expected {

    private static final JsonNode ROOT = load();

    private Expected() {
    }

    static double get(String key) {
        JsonNode n = ROOT.get(key);
        if (n == null) {
            throw new IllegalArgumentException("no " + key + " in expected.json");
        }
        return n.asDouble();
    }

    private static JsonNode load() {
        try {
            return new ObjectMapper().readTree(Cli.fixture("expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
