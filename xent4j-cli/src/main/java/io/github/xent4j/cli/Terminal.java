package io.github.xent4j.cli;

/**
 * What a command may know about where it runs, without depending on {@link Main}: the root
 * command implements it and the commands reach it as their {@code @ParentCommand}.
 */
public interface Terminal {

    /** Whether progress bars may be drawn: only when stderr is a terminal. */
    boolean progressAllowed();
}
