//! Bit addressing of bitstring status lists.
//!
//! [W3C Bitstring Status List v1.0 §3.1](https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslist):
//! "The first index, with a value of zero (0), is located at the left-most bit in the bitstring",
//! i.e. index `i` is bit `7 - i % 8` (most significant first) of byte `i / 8`.

/// The minimum size of a status list in bits (16 KiB), the herd-privacy floor of
/// [§6.1](https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding).
pub const MIN_STATUS_LIST_BITS: u64 = 131_072;

/// Whether bit `index` is set in `bits`; `false` beyond the end.
pub fn bit_is_set(bits: &[u8], index: u64) -> bool {
    let Ok(byte) = usize::try_from(index / 8) else {
        return false;
    };
    match bits.get(byte) {
        Some(b) => b & mask(index) != 0,
        None => false,
    }
}

/// Sets bit `index`; returns `false` when it is beyond the end.
pub(crate) fn set_bit(bits: &mut [u8], index: u64) -> bool {
    let Ok(byte) = usize::try_from(index / 8) else {
        return false;
    };
    match bits.get_mut(byte) {
        Some(b) => {
            *b |= mask(index);
            true
        }
        None => false,
    }
}

fn mask(index: u64) -> u8 {
    0x80 >> (index % 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_zero_is_the_leftmost_bit() {
        let mut bits = vec![0u8; 2];
        assert!(set_bit(&mut bits, 0));
        assert!(set_bit(&mut bits, 9));
        assert_eq!(bits, [0x80, 0x40]);
        assert!(bit_is_set(&bits, 0) && bit_is_set(&bits, 9) && !bit_is_set(&bits, 1));
        assert!(!set_bit(&mut bits, 16));
        assert!(!bit_is_set(&bits, 16));
    }
}
