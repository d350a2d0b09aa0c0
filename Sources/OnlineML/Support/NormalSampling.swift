import RealModule

extension SeededRandom {
    /// A standard normal draw by the Box–Muller transform: with `u1` uniform on (0, 1] (one minus
    /// `nextUnitDouble()`, so the logarithm is finite) and `u2` uniform on [0, 1),
    /// `z = sqrt(−2 ln u1) · cos(2π u2)`. Uses two draws per value and keeps no cached second
    /// value, so the generator's state alone determines the sequence.
    public mutating func nextGaussian() -> Double {
        let u1 = 1 - nextUnitDouble()
        let u2 = nextUnitDouble()
        return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
    }

    /// A normal draw with the given mean and standard deviation.
    public mutating func nextGaussian(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * nextGaussian()
    }
}
