() => {
  for (const el of document.querySelectorAll('input[type=password]')) {
    el.value = ''; el.removeAttribute('value');
  }
}
