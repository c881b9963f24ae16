/**
 * xent4j core: the cross-entropy family of losses (softmax, log-softmax, cross-entropy, NLL, BCE,
 * BCE-with-logits, KL divergence; focal losses, poly-1, z-loss and distillation) with their
 * gradients, exactly as PyTorch defines them.
 * Zero runtime dependencies; only {@code io.github.xent4j} is API.
 */
module io.github.xent4j {
    exports io.github.xent4j;
    exports io.github.xent4j.spi to io.github.xent4j.simd;
    uses io.github.xent4j.spi.KernelProvider;
}
