//! QR codes as base64 PNG images (the TOTP enrolment picture).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Renders `text` as a QR code PNG (4 pixels per module, 4-module quiet zone), base64.
pub fn png_base64(text: &str) -> Result<String, String> {
    let code =
        qrcode::QrCode::new(text.as_bytes()).map_err(|e| format!("QR encoding failed: {e}"))?;
    let modules = code.width();
    let colors = code.to_colors();
    let scale = 4usize;
    let quiet = 4usize;
    let size = (modules + 2 * quiet) * scale;
    let mut pixels = vec![255u8; size * size];
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (mx, my) = (i % modules, i / modules);
            for dy in 0..scale {
                for dx in 0..scale {
                    let x = (mx + quiet) * scale + dx;
                    let y = (my + quiet) * scale + dy;
                    pixels[y * size + x] = 0;
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, size as u32, size as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc
            .write_header()
            .map_err(|e| format!("PNG encoding failed: {e}"))?;
        w.write_image_data(&pixels)
            .map_err(|e| format!("PNG encoding failed: {e}"))?;
    }
    Ok(STANDARD.encode(out))
}
