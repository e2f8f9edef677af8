"""The chime for a reply while the chat is closed (the visitor turned it on): made with
Web Audio, no sound file. `document.body`'s `data-chimes` counts them (a test hook)."""

from browser import document, window


def chime() -> None:
    try:
        context = window.AudioContext.new()
        tone = context.createOscillator()
        gain = context.createGain()
        tone.frequency.value = 988
        gain.gain.setValueAtTime(0.12, context.currentTime)
        gain.gain.exponentialRampToValueAtTime(0.001, context.currentTime + 0.3)
        tone.connect(gain)
        gain.connect(context.destination)
        tone.start()
        tone.stop(context.currentTime + 0.35)
    except Exception:
        return  # no audio here (or not allowed yet): the unread badge still says it
    count = int(document.body.getAttribute("data-chimes") or 0) + 1
    document.body.setAttribute("data-chimes", str(count))
