// Autosave for the audit form: each field is saved in the background as the auditor types
// (debounced) and when they leave it, one field per request, in order, each naming the
// version it starts from. A 409 means the audit was saved elsewhere: autosave stops, both
// versions are shown, and nothing typed is touched. Without JavaScript the form still saves
// on each page submit.

const DEBOUNCE_MS = 800

const form = document.querySelector('form[data-autosave-url]')
if (form) {
  const url = form.getAttribute('data-autosave-url')
  const versionInput = form.querySelector('[data-autosave-version]')
  const csrf = form.querySelector('input[name="csrf_token"]')
  const status = document.querySelector('[data-autosave-status]')
  const panel = document.querySelector('[data-autosave-conflict]')
  const timers = new Map()
  let queue = Promise.resolve()
  let inFlight = 0
  let paused = false
  let resubmitting = false

  const say = (text) => { if (status) status.textContent = text }

  const autosaved = (field) => {
    if (!field || !field.name || field.name.startsWith('new_action.')) return false
    return field.hasAttribute('data-autosave') ||
      Boolean(field.closest('[data-autosave-group], .govuk-radios[data-autosave]'))
  }

  const valueOf = (field) => {
    if (field.type === 'radio') {
      const checked = form.querySelector(`input[type="radio"][name="${CSS.escape(field.name)}"]:checked`)
      return checked ? checked.value : ''
    }
    return field.value
  }

  const showConflict = (data, field) => {
    paused = true
    say('Not saved: this audit was changed somewhere else')
    if (!panel) return
    panel.querySelector('[data-conflict-yours]').textContent = String(data.yours ?? '')
    panel.querySelector('[data-conflict-stored]').textContent = String(data.stored ?? '(nothing)')
    panel.hidden = false
    const keep = panel.querySelector('[data-conflict-keep]')
    keep.onclick = () => {
      versionInput.value = String(data.stored_version)
      panel.hidden = true
      paused = false
      enqueue(field)
    }
    panel.focus()
  }

  const send = async (field) => {
    if (paused) return
    const body = { version: Number(versionInput.value), field: field.name, value: valueOf(field) }
    say('Saving…')
    inFlight += 1
    try {
      const response = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        keepalive: true, // finishes even if the tab is closed straight after typing
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf ? csrf.value : '' },
        body: JSON.stringify(body)
      })
      const data = await response.json().catch(() => ({}))
      if (response.ok) {
        versionInput.value = String(data.version)
        say(`Saved at ${data.saved_at}`)
      } else if (response.status === 409 && data.conflict) {
        showConflict(data, field)
      } else if (data.errors) {
        say(`Not saved: ${Object.values(data.errors).join('; ')}`)
      } else {
        say('Not saved: your answers will be saved when you continue')
      }
    } catch (error) {
      say('Not saved (no connection): your answers will be saved when you continue')
    } finally {
      inFlight -= 1
    }
  }

  const enqueue = (field) => {
    clearTimeout(timers.get(field.name))
    timers.delete(field.name)
    queue = queue.then(() => send(field))
    return queue
  }

  form.addEventListener('input', (event) => {
    const field = event.target
    if (!autosaved(field) || field.type === 'radio' || field.type === 'checkbox') return
    clearTimeout(timers.get(field.name))
    timers.set(field.name, setTimeout(() => enqueue(field), DEBOUNCE_MS))
  })

  form.addEventListener('change', (event) => {
    const field = event.target
    if (autosaved(field) && field.type === 'radio') enqueue(field)
  })

  form.addEventListener('focusout', (event) => {
    const field = event.target
    if (autosaved(field) && timers.has(field.name)) enqueue(field)
  })

  // Leaving the page (tab closed, switched away) saves what is still waiting for the debounce.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'hidden') return
    for (const name of [...timers.keys()]) {
      const field = form.querySelector(`[name="${CSS.escape(name)}"]`)
      if (field) enqueue(field)
    }
  })

  // A page submit must carry the version the last background save produced.
  form.addEventListener('submit', (event) => {
    if (resubmitting) return
    for (const timer of timers.values()) clearTimeout(timer)
    timers.clear()
    if (inFlight === 0) return
    event.preventDefault()
    const submitter = event.submitter
    queue.then(() => {
      resubmitting = true
      form.requestSubmit(submitter)
    })
  })
}
